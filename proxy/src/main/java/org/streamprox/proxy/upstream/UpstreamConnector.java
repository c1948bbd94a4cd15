package org.streamprox.proxy.upstream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Refusal;
import org.streamprox.proxy.route.Servers;
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
     * <p>A route with several servers starts at the next one in turn; while a server cannot be connected to (refused,
     * unreachable, unresolvable, or silent for the connect timeout), nothing has been sent to it, so the next is
     * tried, each once: at most the route's connect timeout per server, and that times the servers in all. Once
     * connected, a failure (the PROXY header, TLS) ends the connection as for a single server: bytes went out.
     *
     * @param proxyHeader what the upstream gets first, before any TLS: the PROXY header naming the client, or empty
     * @param record      told which server was reached, when the route has several
     * @throws ConnectFailure the last server's failure when none could be connected to
     */
    public static Transport connect(Target.Remote remote, byte[] proxyHeader, ConnectionRecord record)
            throws ConnectFailure {
        Servers servers = remote.servers();
        int first = servers.next();
        ConnectFailure failure = null;
        for (int tried = 0; tried < servers.size(); tried++) {
            Servers.Server server = servers.get(first + tried);
            long deadline = System.nanoTime() + remote.connectTimeout().toNanos();
            Transport plain;
            try {
                plain = connectTcp(remote, server);
            } catch (ConnectFailure e) {
                failure = e;
                continue;
            }
            if (servers.size() > 1) {
                record.reached(remote.describe(server));
            }
            return speak(remote, server, plain, proxyHeader, deadline);
        }
        if (servers.size() == 1) {
            throw failure;
        }
        throw new ConnectFailure(failure.status(), "none of the " + servers.size() + " servers could be connected "
                + "to; the last: " + failure.getMessage(), failure);
    }

    /** Sends the PROXY header, then, for a TLS route, runs the handshake by {@code deadline}. */
    private static Transport speak(Target.Remote remote, Servers.Server server, Transport plain, byte[] proxyHeader,
                                   long deadline) throws ConnectFailure {
        try {
            plain.write(ByteBuffer.wrap(proxyHeader));
        } catch (IOException e) {
            plain.close();
            throw new ConnectFailure(502, "upstream " + server + " closed before the PROXY header was sent: "
                    + e.getMessage(), e);
        }
        if (remote.tls().isEmpty()) {
            return plain;
        }
        TlsTransport tls = TlsTransport.over(plain, remote.tls().get().newEngine(server.host(), server.port()));
        try {
            tls.handshake(deadline);
            return tls;
        } catch (SocketTimeoutException e) {
            plain.close();
            throw new ConnectFailure(504, "upstream " + server + " did not finish its TLS handshake within "
                    + remote.connectTimeout().toMillis() + " ms", e);
        } catch (IOException e) {
            plain.close();
            throw new ConnectFailure(502, "upstream " + server + ": " + e.getMessage(), e);
        }
    }

    private static Transport connectTcp(Target.Remote remote, Servers.Server server) throws ConnectFailure {
        SocketChannel channel = null;
        try {
            InetSocketAddress address = new InetSocketAddress(server.host(), server.port());
            if (address.isUnresolved()) {
                throw new UnknownHostException(server.host());
            }
            channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            // The channel's own connect has no timeout; its socket adaptor's does.
            channel.socket().connect(address, Math.toIntExact(remote.connectTimeout().toMillis()));
            return new PlainTransport(channel);
        } catch (SocketTimeoutException e) {
            close(channel);
            throw new ConnectFailure(504, "upstream " + server + " did not accept within "
                    + remote.connectTimeout().toMillis() + " ms", e);
        } catch (UnknownHostException e) {
            close(channel);
            throw new ConnectFailure(502, "upstream host " + server.host() + " cannot be resolved", e);
        } catch (IOException e) {
            close(channel);
            throw new ConnectFailure(502, "upstream " + server + " refused or unreachable: " + e.getMessage(), e);
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
