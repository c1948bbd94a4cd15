package org.streamprox.apps.host;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.local.HandOff;
import org.streamprox.proxy.observe.Outcome;

/**
 * A Jetty connector that never listens: its connections are sockets the engine has already accepted and read
 * from. It works like Jetty's {@code MemoryConnector} (no acceptors) but registers real socket channels with
 * its own selector, and replays the bytes the engine read before Jetty reads anything itself.
 *
 * <p>{@code ServerConnector} cannot do this: it always binds a port, and its selector manager ignores the
 * attachment that carries the buffered bytes.
 */
final class HandOffConnector extends AbstractConnector {

    private static final Logger LOG = LoggerFactory.getLogger(HandOffConnector.class);

    private final HandOffSelectors selectors;

    HandOffConnector(Server server, ConnectionFactory factory) {
        super(server, null, null, null, 0, factory);
        selectors = new HandOffSelectors(getExecutor(), getScheduler());
        addBean(selectors, true);
    }

    /** Lets Jetty serve the connection from now on; the caller must not touch the channel after this returns. */
    void accept(HandOff handOff) throws IOException {
        SocketChannel channel = handOff.channel();
        Socket socket = channel.socket();
        // The head reader left its read timeout on the socket; Jetty's idle timeouts replace it.
        socket.setSoTimeout(0);
        socket.setTcpNoDelay(true);
        channel.configureBlocking(false);
        selectors.accept(channel, handOff);
    }

    @Override
    protected void accept(int acceptorID) {
        throw new UnsupportedOperationException("connections arrive by hand-off, not by accepting");
    }

    @Override
    public Object getTransport() {
        return null;
    }

    private final class HandOffSelectors extends SelectorManager {

        HandOffSelectors(Executor executor, Scheduler scheduler) {
            super(executor, scheduler, 1);
        }

        @Override
        protected EndPoint newEndPoint(SelectableChannel channel, ManagedSelector selector, SelectionKey key) {
            HandedOffEndPoint endPoint = new HandedOffEndPoint((SocketChannel) channel, selector, key,
                    getScheduler(), (HandOff) key.attachment());
            endPoint.setIdleTimeout(getIdleTimeout());
            return endPoint;
        }

        /**
         * HTTP over the socket, or, when the engine terminated the client's TLS, HTTP over Jetty's TLS layer, which
         * goes on with the engine's {@code SSLEngine} and first decrypts what the engine read but did not decrypt.
         */
        @Override
        public Connection newConnection(SelectableChannel channel, EndPoint endPoint, Object attachment)
                throws IOException {
            HandOff handOff = (HandOff) attachment;
            if (handOff.tls().isEmpty()) {
                return replaying(newHttpConnection(endPoint), handOff.bufferedBytes());
            }
            SslConnection tls = new CountingTls(getByteBufferPool(), getExecutor(), (HandedOffEndPoint) endPoint,
                    handOff.tls().get().engine());
            // The engine's handshake is over; a TLS 1.2 client asking for another gets none (HAProxy's default).
            tls.setRenegotiationAllowed(false);
            tls.onUpgradeTo(handOff.tls().get().encryptedBytes());
            EndPoint decrypted = tls.getSslEndPoint();
            Connection http = newHttpConnection(decrypted);
            // First, so Jetty sizes the HTTP connection's input buffer for a whole TLS record.
            decrypted.setConnection(http);
            replaying(http, handOff.bufferedBytes());
            return tls;
        }

        private Connection newHttpConnection(EndPoint endPoint) {
            return getDefaultConnectionFactory().newConnection(HandOffConnector.this, endPoint);
        }

        /** The connection, with the bytes the engine read put in front of what it will read itself. */
        private static Connection replaying(Connection connection, ByteBuffer buffered) throws IOException {
            ((Connection.UpgradeTo) connection).onUpgradeTo(buffered);
            if (buffered.hasRemaining()) {
                // Jetty copies only what fits its input buffer and drops the rest without a word.
                throw new IOException(buffered.remaining() + " buffered bytes did not fit Jetty's input buffer");
            }
            return connection;
        }

        @Override
        protected void endPointOpened(EndPoint endPoint) {
            super.endPointOpened(endPoint);
            onEndPointOpened(endPoint);
        }

        @Override
        protected void endPointClosed(EndPoint endPoint) {
            onEndPointClosed(endPoint);
            super.endPointClosed(endPoint);
        }

        @Override
        protected void onAcceptFailed(SelectableChannel channel, Throwable cause, Object attachment) {
            HandOff handOff = (HandOff) attachment;
            LOG.error("#{} hand-off to local app '{}' failed", handOff.connection().id(), handOff.app(), cause);
            handOff.connection().finish(Outcome.handOffFailed(cause));
        }
    }

    /** Jetty's TLS layer, counting the decrypted bytes into the socket's end point. */
    private static final class CountingTls extends SslConnection {

        private final HandedOffEndPoint socket;

        CountingTls(ByteBufferPool buffers, Executor executor, HandedOffEndPoint socket, SSLEngine engine) {
            super(buffers, executor, socket, engine);
            this.socket = socket;
        }

        @Override
        protected SslEndPoint newSslEndPoint() {
            return new SslEndPoint() {
                @Override
                public int fill(ByteBuffer buffer) throws IOException {
                    int filled = super.fill(buffer);
                    socket.countDecrypted(filled, 0);
                    return filled;
                }

                @Override
                public boolean flush(ByteBuffer... buffers) throws IOException {
                    long before = HandedOffEndPoint.remaining(buffers);
                    try {
                        return super.flush(buffers);
                    } finally {
                        socket.countDecrypted(0, before - HandedOffEndPoint.remaining(buffers));
                    }
                }
            };
        }
    }
}
