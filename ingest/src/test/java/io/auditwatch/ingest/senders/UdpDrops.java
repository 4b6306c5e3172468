package io.auditwatch.ingest.senders;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The kernel's count of UDP datagrams dropped for a full receive buffer ({@code /proc/net/snmp}). */
final class UdpDrops {
    static long receiveBufferErrors() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("Udp: ") && lines.get(i + 1).startsWith("Udp: ")) {
                String[] names = lines.get(i).split(" ");
                String[] values = lines.get(i + 1).split(" ");
                for (int c = 1; c < names.length; c++) {
                    if (names[c].equals("RcvbufErrors")) {
                        return Long.parseLong(values[c]);
                    }
                }
            }
        }
        throw new IOException("no Udp RcvbufErrors in /proc/net/snmp");
    }

    private UdpDrops() {
    }
}
