package org.streamprox.proxy.upstream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.streamprox.proxy.observe.Refusal;
import org.streamprox.proxy.route.Target;
import org.streamprox.proxy.tls.TlsTransport;
import org.streamprox.proxy.transport.PlainTransport;
import org.streamprox.proxy.transport.Transport;

/** Opens the connection to a remote target, turning each way it can fail into the status the client gets. */
public final class UpstreamConnector {

    /**
     * The upstream could not be reached, or its TLS failed; {@link #status()} is {@code 502} or {@code 504}.
     */
    public static final class ConnectFailure extends Exception {

        private final int status;

        ConnectFailure(int status, String reason, Throwable cause) {
            super(reason, cause, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }

        /** Why the client is refused, as the metrics count it. */
        public Refusal refusal() {
            return status == 504 ? Refusal.UPSTREAM_TIMEOUT : Refusal.UPSTREAM_UNREACHABLE;
        }
    }

    private UpstreamConnector() {
    }

    /**
     * The connected upstream, in blocking mode; over TLS, with its handshake done and its certificate checked.
     *
     * @param proxyHeader what the upstream gets first, before any TLS: the PROXY header naming the client, or empty
     */
    public static Transport connect(Target.Remote remote, byte[] proxyHeader) throws ConnectFailure {
        long deadline = System.nanoTime() + remote.connectTimeout().toNanos();
        Transport plain = connectTcp(remote);
        try {
            plain.write(ByteBuffer.wrap(proxyHeader));
        } catch (IOException e) {
            plain.close();
            throw new ConnectFailure(502, "upstream " + remote.host() + ":" + remote.port()
                    + " closed before the PROXY header was sent: " + e.getMessage(), e);
        }
        if (remote.tls().isEmpty()) {
            return plain;
        }
        TlsTransport tls = TlsTransport.over(plain, remote.tls().get().newEngine(remote.host(), remote.port()));
        try {
            tls.handshake(deadline);
            return tls;
        } catch (SocketTimeoutException e) {
            plain.close();
            throw new ConnectFailure(504, "upstream " + remote.host() + ":" + remote.port()
                    + " did not finish its TLS handshake within " + remote.connectTimeout().toMillis() + " ms", e);
        } catch (IOException e) {
            plain.close();
            throw new ConnectFailure(502, "upstream " + remote.host() + ":" + remote.port() + ": "
                    + e.getMessage(), e);
        }
    }

    private static Transport connectTcp(Target.Remote remote) throws ConnectFailure {
        SocketChannel channel = null;
        try {
            InetSocketAddress address = new InetSocketAddress(remote.host(), remote.port());
            if (address.isUnresolved()) {
                throw new UnknownHostException(remote.host());
            }
            channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            // The channel's own connect has no timeout; its socket adaptor's does.
            channel.socket().connect(address, Math.toIntExact(remote.connectTimeout().toMillis()));
            return new PlainTransport(channel);
        } catch (SocketTimeoutException e) {
            close(channel);
            throw new ConnectFailure(504, "upstream " + remote.host() + ":" + remote.port()
                    + " did not accept within " + remote.connectTimeout().toMillis() + " ms", e);
        } catch (UnknownHostException e) {
            close(channel);
            throw new ConnectFailure(502, "upstream host " + remote.host() + " cannot be resolved", e);
        } catch (IOException e) {
            close(channel);
            throw new ConnectFailure(502, "upstream " + remote.host() + ":" + remote.port() + " refused or "
                    + "unreachable: " + e.getMessage(), e);
        }
    }

    private static void close(SocketChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing was sent on it.
        }
    }
}
