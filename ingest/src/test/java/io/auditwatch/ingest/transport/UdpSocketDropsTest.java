package io.auditwatch.ingest.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class UdpSocketDropsTest {

    /** Two sockets on port 514 (0x0202, IPv4 and a second one, SO_REUSEPORT), one elsewhere. */
    private static final List<String> TABLE = List.of(
            "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
            "  112: 00000000:0202 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 31337 2 0000000000000000 17",
            "  113: 0100007F:0202 00000000:0000 07 00000000:00000A00 00:00000000 00000000     0        0 31338 2 0000000000000000 3",
            "  240: 0100007F:1202 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 31339 2 0000000000000000 99");

    @Test
    void sumsTheDropsOfEverySocketOnThePortOnly() {
        assertEquals(20, UdpSocketDrops.drops(TABLE, 514));
        assertEquals(99, UdpSocketDrops.drops(TABLE, 0x1202));
        assertEquals(0, UdpSocketDrops.drops(TABLE, 515));
    }

    @Test
    void aTableOfAnotherShapeIsRefusedNotMisread() {
        assertThrows(IllegalArgumentException.class, () -> UdpSocketDrops.drops(List.of("sl local_address inode"), 514));
        assertTrue(Double.isNaN(new UdpSocketDrops(514, List.of(Path.of("/nonexistent/udp"))).total()));
    }

    /**
     * A real socket with the smallest receive buffer that is never read: every datagram sent over
     * loopback is either queued or dropped by the kernel (loopback delivers inside sendto), so what the
     * table says must be exactly what could not be read.
     */
    @Test
    void countsWhatTheKernelDroppedForARealSocket() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/net/udp")), "no /proc/net/udp: not Linux");
        int sent = 300;
        try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket sender = new DatagramSocket()) {
            receiver.setReceiveBufferSize(1);
            UdpSocketDrops drops = new UdpSocketDrops(receiver.getLocalPort());
            assertEquals(0.0, drops.total());
            byte[] payload = new byte[512];
            for (int i = 0; i < sent; i++) {
                sender.send(new DatagramPacket(payload, payload.length, receiver.getLocalSocketAddress()));
            }
            double dropped = drops.total();
            receiver.setSoTimeout(200);
            int queued = 0;
            try {
                while (true) {
                    receiver.receive(new DatagramPacket(new byte[1024], 1024));
                    queued++;
                }
            } catch (SocketTimeoutException drained) {
                // everything the kernel had kept is read
            }
            assertTrue(dropped > 0, "a 1-byte receive buffer must overflow: " + dropped);
            assertEquals(sent, queued + (long) dropped, "queued " + queued + " + dropped " + dropped);
        }
    }
}
