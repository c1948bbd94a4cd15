package org.streamprox.proxy.connection;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import org.streamprox.proxy.http.StatusLineSniffer;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.route.Target;
import org.streamprox.proxy.transport.Transport;
import org.streamprox.proxy.upstream.Tunnel;
import org.streamprox.proxy.upstream.Tunnels;
import org.streamprox.proxy.upstream.UpstreamConnector.ConnectFailure;
import org.streamprox.proxy.upstream.UpstreamConnector;

/**
 * Tunnel to a remote upstream: connect, send the first bytes (the head as rewritten, then what followed it) in one
 * write, then copy both ways until both sides are done.
 */
record Forward(Tunnels tunnels, Target.Remote remote, Optional<Duration> idleTimeout, byte[] firstBytes)
        implements Plan {

    private static final byte[] NO_BYTES = new byte[0];

    @Override
    public void carryOut(Transport client, ConnectionRecord record) {
        byte[] proxyHeader = proxyHeader(client, record);
        long connecting = System.nanoTime();
        UpstreamConnector.Upstream upstream;
        try {
            upstream = UpstreamConnector.connect(remote, proxyHeader, record);
        } catch (ConnectFailure e) {
            record.upstreamConnect(false, Duration.ofNanos(System.nanoTime() - connecting));
            new Answer(e.status(), e.refusal(), e.getMessage()).carryOut(client, record);
            return;
        }
        record.upstreamConnect(true, Duration.ofNanos(System.nanoTime() - connecting));
        try {
            Plan.end(client, record, tunnel(client, upstream.transport(), record));
        } finally {
            upstream.release();
        }
    }

    private Outcome tunnel(Transport client, Transport upstream, ConnectionRecord record) {
        try {
            client.channel().setOption(StandardSocketOptions.TCP_NODELAY, true);
            upstream.write(ByteBuffer.wrap(firstBytes));
        } catch (IOException e) {
            upstream.close();
            return Outcome.failed(e);
        }
        Tunnel tunnel = tunnels.open(client, upstream, idleTimeout, new StatusLineSniffer());
        record.onAbort(tunnel::abort);
        record.copying(tunnel);
        Outcome outcome;
        try {
            outcome = tunnel.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            upstream.close();
            outcome = Outcome.INTERRUPTED;
        }
        record.respondedWith(tunnel.responseStatus());
        return outcome;
    }

    /** The PROXY header the route sends, naming the client as this connection knows it; empty for none. */
    private byte[] proxyHeader(Transport client, ConnectionRecord record) {
        return remote.proxyProtocol()
                .map(version -> version.header(record.client(), record.destination().orElse(client.localAddress()),
                        record.serverName()))
                .orElse(NO_BYTES);
    }
}
