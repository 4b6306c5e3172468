package io.auditwatch.ingest.transport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A child process that holds many idle connections, so that the server under test, not the test
 * JVM, is the one that needs the file descriptors. Protocol on stdin/stdout: prints {@code ready N}
 * once connected; on {@code check} prints {@code open N} (connections neither closed nor reset);
 * exits on {@code quit} or end of input.
 *
 * <p>Usage: {@code IdleConnections PORT COUNT SOURCES} (source addresses 127.0.x.y, SOURCES of them).
 */
public final class IdleConnections {
    private IdleConnections() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        int sources = Integer.parseInt(args[2]);
        List<Socket> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int n = 10 + i % sources;
            InetAddress from = InetAddress.getByAddress(new byte[] {127, 0, (byte) (n / 250), (byte) (n % 250 + 1)});
            Socket s = new Socket();
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            s.setSoTimeout(1);
            sockets.add(s);
        }
        System.out.println("ready " + sockets.size());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
            if (line.equals("check")) {
                int open = 0;
                for (Socket s : sockets) {
                    try {
                        if (s.getInputStream().read() != -1) {
                            open++;
                        }
                    } catch (SocketTimeoutException e) {
                        open++; // nothing to read and not closed
                    } catch (java.io.IOException e) {
                        // reset: not open
                    }
                }
                System.out.println("open " + open);
                System.out.flush();
            }
        }
        for (Socket s : sockets) {
            s.close();
        }
    }
}
