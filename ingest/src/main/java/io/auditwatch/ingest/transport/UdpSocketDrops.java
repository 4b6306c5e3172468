package io.auditwatch.ingest.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Datagrams the kernel dropped for the UDP sockets bound to one local port, read from the
 * {@code drops} column of {@code /proc/net/udp} and {@code /proc/net/udp6} (Linux; the count of
 * {@code sk_drops}: receive buffer full, or a filter refused it). They never reach auditwatch, so only
 * the kernel can say how many there were; {@code /proc/net/snmp}'s {@code RcvbufErrors} says the same
 * for the whole host.
 *
 * <p>A scrape reads both files, about 150 bytes per UDP socket of the host: bounded by the host's socket
 * count, not by traffic. Where the files do not exist (not Linux), the count is {@code NaN}.
 */
public final class UdpSocketDrops {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));

    private final int port;
    private final List<Path> tables;

    public UdpSocketDrops(int port) {
        this(port, TABLES);
    }

    UdpSocketDrops(int port, List<Path> tables) {
        this.port = port;
        this.tables = tables;
    }

    /** Sum of the drops of every socket bound to the port, or NaN when no table could be read. */
    public double total() {
        double sum = 0;
        boolean read = false;
        for (Path table : tables) {
            try {
                sum += drops(Files.readAllLines(table), port);
                read = true;
            } catch (IOException | RuntimeException unreadable) {
                // missing (no IPv6, not Linux) or changed format: this table says nothing
            }
        }
        return read ? sum : Double.NaN;
    }

    /**
     * Drops of the sockets whose local port is {@code port} in one {@code /proc/net/udp[6]} table:
     * a header line naming the columns, then one line per socket with {@code ADDRESS:PORT} in hex.
     */
    static long drops(List<String> table, int port) {
        if (table.isEmpty()) {
            return 0;
        }
        List<String> header = List.of(table.get(0).strip().split("\\s+"));
        int localColumn = header.indexOf("local_address");
        // The header's "tm->when" is one name over two value columns (tr, tm->when), so the last
        // column, drops, is counted from the end.
        if (localColumn < 0 || !"drops".equals(header.get(header.size() - 1))) {
            throw new IllegalArgumentException("unexpected /proc/net/udp header: " + table.get(0));
        }
        String suffix = ":" + String.format(Locale.ROOT, "%04X", port);
        long sum = 0;
        for (String line : table.subList(1, table.size())) {
            String[] f = line.strip().split("\\s+");
            if (f.length > localColumn && f[localColumn].endsWith(suffix)) {
                sum += Long.parseLong(f[f.length - 1]);
            }
        }
        return sum;
    }
}
