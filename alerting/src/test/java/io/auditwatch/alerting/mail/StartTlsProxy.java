package io.auditwatch.alerting.mail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * GreenMail 2.1.5 has no STARTTLS (its SMTP commands: HELO/EHLO, AUTH, MAIL, RCPT, DATA, RSET,
 * VRFY, NOOP, QUIT). This loopback proxy adds it in front of a plain GreenMail SMTP server: it
 * advertises STARTTLS in the EHLO reply, answers STARTTLS itself, upgrades the client connection
 * with GreenMail's own certificate, then relays bytes. So a real RFC 3207 upgrade happens between
 * Angus Mail and the proxy, and GreenMail receives the message.
 */
final class StartTlsProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int upstreamPort;
    private final SSLContext tls;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final AtomicInteger upgrades = new AtomicInteger();
    /** Off: the EHLO reply goes through without STARTTLS, as when a man in the middle strips it. */
    volatile boolean offerStartTls = true;
    /** Every command a client sent before any upgrade, i.e. in clear, as received. */
    final List<String> plainCommands = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    StartTlsProxy(int upstreamPort) throws Exception {
        this.upstreamPort = upstreamPort;
        this.tls = GreenMailTls.serverContext();
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "starttls-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread t = new Thread(() -> handle(client), "starttls-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket client) {
        try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            sockets.add(upstream);
            BufferedReader up = new BufferedReader(new InputStreamReader(upstream.getInputStream(), StandardCharsets.US_ASCII));
            BufferedReader down = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream toClient = client.getOutputStream();
            OutputStream toUpstream = upstream.getOutputStream();
            write(toClient, readReply(up));
            while (true) {
                String cmd = down.readLine();
                if (cmd == null) {
                    return;
                }
                plainCommands.add(cmd);
                String verb = cmd.length() >= 4 ? cmd.substring(0, 4).toUpperCase() : cmd.toUpperCase();
                if (verb.equals("EHLO")) {
                    write(toUpstream, List.of(cmd));
                    List<String> reply = readReply(up);
                    if (offerStartTls) {
                        String last = reply.remove(reply.size() - 1);
                        reply.add("250-" + last.substring(4));
                        reply.add("250 STARTTLS");
                    }
                    write(toClient, reply);
                } else if (cmd.equalsIgnoreCase("STARTTLS") && offerStartTls) {
                    write(toClient, List.of("220 2.0.0 Ready to start TLS"));
                    SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(client, null, client.getPort(), true);
                    secure.setUseClientMode(false);
                    secure.startHandshake();
                    upgrades.incrementAndGet();
                    sockets.add(secure);
                    pump(upstream.getInputStream(), secure.getOutputStream());
                    secure.getInputStream().transferTo(toUpstream);
                    return;
                } else {
                    // A client that does not upgrade talks to GreenMail in plain from here on.
                    write(toUpstream, List.of(cmd));
                    write(toClient, readReply(up));
                }
            }
        } catch (IOException e) {
            // Connection closed by either side: the test asserts on what GreenMail received.
        }
    }

    private static void pump(InputStream in, OutputStream out) {
        Thread t = new Thread(() -> {
            try {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // closed
            }
        }, "starttls-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static List<String> readReply(BufferedReader in) throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("upstream closed");
            }
            lines.add(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return lines;
    }

    private static void write(OutputStream out, List<String> lines) throws IOException {
        StringBuilder b = new StringBuilder();
        lines.forEach(l -> b.append(l).append("\r\n"));
        out.write(b.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
