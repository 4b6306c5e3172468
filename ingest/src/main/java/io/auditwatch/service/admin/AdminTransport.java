package io.auditwatch.service.admin;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * Epoll when the native transport loads, NIO otherwise (other OS, missing native library).
 *
 * <p>The epoll classes are looked up by name because ingest's POM has Netty's epoll artifacts on
 * the runtime classpath only ({@code netty-transport-classes-epoll} is not a compile dependency, and
 * this package does not own the POM). If the module ever depends on them at compile scope, replace
 * the lookups with {@code Epoll.isAvailable()}, {@code EpollIoHandler.newFactory()} and
 * {@code EpollServerSocketChannel.class}.
 */
record AdminTransport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> channelClass) {

    static AdminTransport detect() {
        try {
            Class<?> epoll = Class.forName("io.netty.channel.epoll.Epoll");
            if ((Boolean) epoll.getMethod("isAvailable").invoke(null)) {
                IoHandlerFactory factory = (IoHandlerFactory) Class.forName("io.netty.channel.epoll.EpollIoHandler")
                        .getMethod("newFactory").invoke(null);
                Class<? extends ServerChannel> channel = Class.forName("io.netty.channel.epoll.EpollServerSocketChannel")
                        .asSubclass(ServerChannel.class);
                return new AdminTransport("epoll", factory, channel);
            }
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            // Not on the classpath or not loadable here: NIO works everywhere.
        }
        return new AdminTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }
}
