package org.streamprox.proxy;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.http.ErrorResponse;
import org.streamprox.proxy.http.HeadException;
import org.streamprox.proxy.http.HeadReader;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.proxy.local.HandOff;
import org.streamprox.proxy.remote.Tunnel;
import org.streamprox.proxy.remote.UpstreamConnector;
import org.streamprox.proxy.remote.UpstreamConnector.ConnectFailure;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Target;

/**
 * One accepted connection, served on its own virtual thread: read the head, route it, then hand the socket to a
 * local app or tunnel it to a remote upstream. Every way it ends is written to the access log, here or, for
 * handed-off connections, by the app side when it closes.
 */
final class ClientConnection implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    /** What to do with a connection once its head is read and routed. */
    private sealed interface Plan {
    }

    /** Refuse with an HTTP answer. */
    private record Answer(int status, String reason) implements Plan {
    }

    /** Give the connection, with the bytes read so far, to a local app. */
    private record HandOffTo(String app, ByteBuffer buffered) implements Plan {
    }

    /** Tunnel to a remote upstream, starting with these bytes (the head as rewritten, then what followed). */
    private record Forward(Target.Remote remote, Optional<Duration> idleTimeout, byte[] firstBytes)
            implements Plan {
    }

    private final long id;
    private final SocketChannel channel;
    private final Socket client;
    private final SocketAddress clientAddress;
    private final long startNanos = System.nanoTime();
    private final Admission.Slot slot;
    private final ProxyServer listener;
    private volatile SocketChannel upstream;
    private volatile Tunnel tunnel;

    /** What the access log says of the first request; only these strings outlive the head. */
    private String method;
    private String path;
    private String routeName;
    private String target;
    private long bytesIn;
    private long bytesOut;

    ClientConnection(long id, SocketChannel channel, Admission.Slot slot, ProxyServer listener) {
        this.id = id;
        this.slot = slot;
        this.channel = channel;
        this.client = channel.socket();
        this.clientAddress = client.getRemoteSocketAddress();
        this.listener = listener;
    }

    @Override
    public void run() {
        String outcome = "failed";
        boolean handedOff = false;
        try {
            Plan plan = readAndRoute();
            switch (plan) {
                case Answer answer -> outcome = answer(answer.status(), answer.reason());
                case HandOffTo handOff -> {
                    listener.localApps().handOff(handOff.app(),
                            new HandOff(channel, handOff.buffered(), info(), slot::release));
                    handedOff = true;
                    outcome = "handed off";
                }
                case Forward forward -> outcome = forward(forward);
            }
        } catch (HeadException e) {
            outcome = e.answerable() ? answer(e.status(), e.getMessage()) : "closed: " + e.getMessage();
        } catch (ConnectFailure e) {
            outcome = answer(e.status(), e.getMessage());
        } catch (IOException e) {
            outcome = "failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
        } catch (RuntimeException e) {
            LOG.error("#{} unexpected failure", id, e);
            outcome = "internal error: " + e;
        } finally {
            if (!handedOff) {
                closeQuietly(channel);
                closeQuietly(upstream);
                AccessLog.finished(info(), bytesIn, bytesOut, outcome);
                slot.release();
            }
            listener.registry().remove(this);
        }
    }

    /** Cuts the connection from another thread (shutdown after the drain timeout). */
    void abort(String reason) {
        Tunnel running = tunnel;
        if (running != null) {
            running.abort(reason);
        } else {
            closeQuietly(channel);
            closeQuietly(upstream);
        }
    }

    /** Reads the head and decides; the head and its buffer are not kept once the plan is made. */
    private Plan readAndRoute() throws IOException, HeadException {
        HeadReader.Result result = new HeadReader(listener.settings().head()).read(client);
        bytesIn = result.bytesRead();
        RequestHead head = result.head();
        method = head.method();
        path = head.path();
        if (slot.overClientLimit()) {
            return new Answer(429, "more than " + listener.settings().connections().maxConnectionsPerClient()
                    + " connections from this address");
        }
        Optional<Route> found = listener.router().route(head);
        if (found.isEmpty()) {
            return new Answer(404, "no route for " + head.method() + " " + head.path()
                    + head.host().map(host -> " on host " + host).orElse(""));
        }
        Route route = found.get();
        routeName = route.name();
        target = route.target().describe();
        return switch (route.target()) {
            case Target.Local local -> new HandOffTo(local.app(), result.buffered());
            case Target.Remote remote -> new Forward(remote, route.idleTimeoutFor(head),
                    firstBytes(route.rewrite().apply(head), result.leftover()));
        };
    }

    private String forward(Forward forward) throws ConnectFailure, IOException, InterruptedException {
        upstream = UpstreamConnector.connect(forward.remote());
        client.setTcpNoDelay(true);
        Tunnel.writeFully(upstream, ByteBuffer.wrap(forward.firstBytes()));
        Tunnel running = new Tunnel(channel, upstream, listener.settings().tunnel(), listener.copyBuffers(),
                forward.idleTimeout(), listener.timer(), listener.copyLoopCounter());
        tunnel = running;
        String outcome = running.run();
        bytesIn += running.bytesFromClient();
        bytesOut += running.bytesToClient();
        return outcome;
    }

    /** The head to send and the bytes that followed it, as one write. */
    private static byte[] firstBytes(byte[] head, ByteBuffer leftover) {
        byte[] bytes = new byte[head.length + leftover.remaining()];
        System.arraycopy(head, 0, bytes, 0, head.length);
        leftover.get(bytes, head.length, leftover.remaining());
        return bytes;
    }

    private String answer(int status, String reason) {
        try {
            bytesOut += ErrorResponse.send(client, status, ErrorResponse.reasonPhrase(status) + ": " + reason);
        } catch (IOException e) {
            return status + " " + reason + " (not delivered: " + e.getMessage() + ")";
        }
        return status + " " + reason;
    }

    private ConnectionInfo info() {
        return new ConnectionInfo(id, clientAddress, startNanos, method, path, routeName, target);
    }

    private static void closeQuietly(SocketChannel socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // The connection is over either way.
            }
        }
    }
}
