package io.auditwatch.ingest.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loops all listeners share: native epoll where Netty's native library loads (Linux),
 * NIO otherwise. One place decides, so every listener and the admin server agree.
 */
public final class EventLoops implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

    /** Seconds of quiet period and upper bound of a graceful event-loop shutdown. */
    private static final long SHUTDOWN_QUIET_MS = 100;
    private static final long SHUTDOWN_TIMEOUT_MS = 5_000;

    private final boolean epoll;
    private final IoHandlerFactory factory;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;

    /**
     * @param workerThreads 0 for Netty's default (2 x cores)
     * @param preferNative false forces NIO (tests of both transports)
     */
    public EventLoops(int workerThreads, boolean preferNative) {
        this.epoll = preferNative && Epoll.isAvailable();
        this.factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("aw-accept"), factory);
        this.workers = new MultiThreadIoEventLoopGroup(workerThreads, new DefaultThreadFactory("aw-io"), factory);
        if (!epoll && preferNative) {
            LOG.info("Native epoll transport unavailable ({}); using NIO", Epoll.unavailabilityCause() == null
                    ? "not Linux" : Epoll.unavailabilityCause().toString());
        }
    }

    /** True when the native epoll transport is in use. */
    public boolean isNative() {
        return epoll;
    }

    public String name() {
        return epoll ? "epoll" : "nio";
    }

    public EventLoopGroup boss() {
        return boss;
    }

    public EventLoopGroup workers() {
        return workers;
    }

    /**
     * A group of its own on the same transport, for channels whose threads must not be shared (the
     * UDP listeners' receiving threads); the caller shuts it down.
     */
    public EventLoopGroup dedicated(int threads, String threadPrefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadPrefix), factory);
    }

    /** Shuts down a group made by {@link #dedicated} as this class shuts down its own. */
    public static void shutdown(EventLoopGroup group) {
        group.shutdownGracefully(SHUTDOWN_QUIET_MS, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS);
    }

    public Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends DatagramChannel> datagramChannel() {
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    @Override
    public void close() {
        boss.shutdownGracefully(SHUTDOWN_QUIET_MS, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(SHUTDOWN_QUIET_MS, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        boss.terminationFuture().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS);
        workers.terminationFuture().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS);
    }
}
