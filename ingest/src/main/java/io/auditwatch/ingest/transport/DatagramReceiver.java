package io.auditwatch.ingest.transport;

import io.auditwatch.ingest.pipeline.IngestMetrics;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of a UDP listener (syslog, gelf): with native epoll, {@code sockets} sockets
 * bound to the same address with {@code SO_REUSEPORT}, each read by a thread of its own that does
 * nothing but copy each datagram and hand it to {@link DatagramHandoff}; with NIO, one socket. The
 * kernel spreads senders over the sockets by a hash of the 4-tuple, so one sender's datagrams all
 * reach one socket, one receiving thread and (by {@link DatagramHandoff}'s sharding) one worker, in order.
 *
 * <p>Every socket asks for a {@link #RECEIVE_BUFFER} kernel buffer, which Linux caps at
 * {@code net.core.rmem_max}; a smaller grant is logged as a warning. What the kernel still drops is
 * the listener's {@code auditwatch_udp_kernel_drops_total}, summed over its sockets.
 */
final class DatagramReceiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramReceiver.class);

    /** Largest UDP payload over IPv4 (65,535 - 8 UDP - 20 IP header bytes). */
    static final int MAX_DATAGRAM = 65_507;
    /**
     * Kernel receive buffer asked for per socket: absorbs bursts while a receiving thread is not
     * scheduled (capped by {@code net.core.rmem_max}; 4 MiB holds about 100 ms at 60,000 msgs/s of
     * 250 bytes, counting the kernel's per-datagram overhead).
     */
    static final int RECEIVE_BUFFER = 4 << 20;
    /** Most sockets of one listener: beyond the cores of any machine it runs on, receiving is not the bound. */
    static final int MAX_SOCKETS = 64;

    private final EventLoopGroup group;
    private final List<Channel> channels;
    private final DatagramHandoff handoff;

    private DatagramReceiver(EventLoopGroup group, List<Channel> channels, DatagramHandoff handoff) {
        this.group = group;
        this.channels = channels;
        this.handoff = handoff;
    }

    /**
     * Binds the sockets and starts receiving into {@code handoff}, which this receiver then owns
     * (closed after the sockets).
     *
     * @param sockets sockets and receiving threads (epoll); NIO binds one
     * @param allowed senders whose datagrams are kept; the others are dropped and counted
     *     ({@code reason="source_not_allowed"}) before the hand-off
     * @throws ListenerException when the address cannot be bound
     */
    static DatagramReceiver bind(String name, String host, int port, int sockets, EventLoops loops,
            Predicate<InetSocketAddress> allowed, DatagramHandoff handoff, IngestMetrics metrics) {
        int n = loops.isNative() ? sockets : 1;
        if (loops.isNative() && port != 0) {
            try {
                refuseIfTaken(name, host, port);
            } catch (ListenerException e) {
                handoff.close();
                throw e;
            }
        }
        EventLoopGroup group = loops.dedicated(n, "aw-" + name + "-receive");
        List<Channel> channels = new ArrayList<>(n);
        DatagramReceiver receiver = new DatagramReceiver(group, channels, handoff);
        try {
            Bootstrap b = new Bootstrap()
                    .group(group)
                    .channel(loops.datagramChannel())
                    .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                    .handler(new ReceiveHandler(allowed, handoff, metrics));
            if (loops.isNative()) {
                b.option(EpollChannelOption.SO_REUSEPORT, true);
            }
            int bound = port;
            for (int i = 0; i < n; i++) {
                Channel ch = b.bind(host, bound).syncUninterruptibly().channel();
                channels.add(ch);
                bound = ((InetSocketAddress) ch.localAddress()).getPort();
            }
        } catch (Exception e) {
            receiver.close();
            throw new ListenerException("cannot listen on UDP " + host + ":" + port + " (listeners." + name
                    + "): " + e.getMessage(), e);
        }
        warnIfBufferCapped(name, channels.get(0), loops.isNative());
        // Micrometer holds the meter's object weakly: a channel, which stays reachable while it is open.
        UdpSocketDrops drops = new UdpSocketDrops(receiver.port());
        metrics.bindUdpKernelDrops(name, channels.get(0), c -> drops.total());
        return receiver;
    }

    /**
     * {@code SO_REUSEPORT} would also let this listener share its port with sockets of another process
     * of the same user that set it too (a second auditwatch), each receiving part of the senders. A
     * plain bind first fails when anything holds the port, as a listener without the option would.
     */
    private static void refuseIfTaken(String name, String host, int port) {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException | RuntimeException e) {
            throw new ListenerException("cannot listen on UDP " + host + ":" + port + " (listeners." + name
                    + "): " + e.getMessage(), e);
        }
    }

    /**
     * Linux grants at most {@code net.core.rmem_max} and reports twice what it granted (socket(7): the
     * other half is its bookkeeping); native epoll passes that report on, the JDK's NIO halves it back.
     */
    private static void warnIfBufferCapped(String name, Channel ch, boolean epoll) {
        int reported = ch.config().getOption(ChannelOption.SO_RCVBUF);
        int granted = epoll ? reported / 2 : reported;
        if (granted < RECEIVE_BUFFER) {
            LOG.warn("UDP listener '{}': the kernel granted a receive buffer of {} bytes per socket, not the {} asked for; "
                    + "raise net.core.rmem_max (sysctl) to at least {} so that bursts are not dropped",
                    name, granted, RECEIVE_BUFFER, RECEIVE_BUFFER);
        }
    }

    int port() {
        return ((InetSocketAddress) channels.get(0).localAddress()).getPort();
    }

    int sockets() {
        return channels.size();
    }

    String localAddress() {
        return channels.get(0).localAddress().toString();
    }

    /** True while every socket is open. */
    boolean isBound() {
        return !channels.isEmpty() && channels.stream().allMatch(Channel::isActive);
    }

    /** The group of the receiving threads, for timers of the listener's own. */
    EventLoopGroup group() {
        return group;
    }

    /** Stops receiving, then processes what the hand-off holds. */
    @Override
    public void close() {
        channels.forEach(ch -> ch.close().syncUninterruptibly());
        EventLoops.shutdown(group);
        handoff.close();
    }

    @ChannelHandler.Sharable
    private static final class ReceiveHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Predicate<InetSocketAddress> allowed;
        private final DatagramHandoff handoff;
        private final IngestMetrics metrics;

        ReceiveHandler(Predicate<InetSocketAddress> allowed, DatagramHandoff handoff, IngestMetrics metrics) {
            this.allowed = allowed;
            this.handoff = handoff;
            this.metrics = metrics;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf content = packet.content();
            if (!content.isReadable()) {
                return;
            }
            if (!allowed.test(packet.sender())) {
                metrics.dropped("source_not_allowed");
                return;
            }
            handoff.offer(packet.sender(), ByteBufUtil.getBytes(content));
        }
    }
}
