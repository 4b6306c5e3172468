package io.auditwatch.ingest.syslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.io.File;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * util-linux {@code logger} sending to a real loopback socket framed by {@link SyslogFrameDecoder} and
 * parsed by {@link SyslogParser}: the fixtures' capture, live. Skipped where {@code logger} is absent.
 */
class LoggerOverTcpIT {

    private static final long WAIT_SECONDS = 20;

    private final BlockingQueue<SyslogFrame> frames = new LinkedBlockingQueue<>();
    private EventLoopGroup group;
    private Channel server;

    @BeforeEach
    void startServer() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("framer", new SyslogFrameDecoder(65536, FramingListener.NONE));
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<SyslogFrame>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, SyslogFrame frame) {
                                frames.add(frame);
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    @AfterEach
    void stopServer() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void octetCountedRfc5424FromLogger() throws Exception {
        runLogger(List.of("--octet-count", "--rfc5424", "-t", "auditwatch-it"), "first\nsecond\n");
        assertMessage("auditwatch-it", "first", Framing.OCTET_COUNTING);
        assertMessage("auditwatch-it", "second", Framing.OCTET_COUNTING);
    }

    @Test
    void lfFramedRfc3164FromLogger() throws Exception {
        runLogger(List.of("--rfc3164", "-t", "auditwatch-it"), "one\ntwo\n");
        assertMessage("auditwatch-it", "one", Framing.LF);
        assertMessage("auditwatch-it", "two", Framing.LF);
    }

    private void assertMessage(String tag, String msg, Framing framing) throws InterruptedException {
        SyslogFrame frame = frames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(frame, "no frame from logger");
        assertEquals(framing, frame.framing());
        SyslogMessage m = SyslogParser.parse(frame.raw());
        assertEquals(tag, m.appName());
        assertEquals(msg, m.msg());
    }

    private void runLogger(List<String> options, String stdin) throws Exception {
        File logger = new File("/usr/bin/logger");
        assumeTrue(logger.canExecute(), "util-linux logger not installed");
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        List<String> command = new java.util.ArrayList<>(List.of(logger.getPath(), "-n", "127.0.0.1", "-P", String.valueOf(port), "-T"));
        command.addAll(options);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            process.getOutputStream().write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            process.getOutputStream().close();
            assertEquals(true, process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "logger did not finish");
            assertEquals(0, process.exitValue(), new String(process.getInputStream().readAllBytes()));
        } finally {
            process.destroyForcibly();
        }
    }
}
