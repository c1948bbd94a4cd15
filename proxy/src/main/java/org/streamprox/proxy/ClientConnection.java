package org.streamprox.proxy;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
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

    private final long id;
    private final SocketChannel channel;
    private final Socket client;
    private final SocketAddress clientAddress;
    private final long startNanos = System.nanoTime();
    private final Admission.Slot slot;
    private final ProxyServer listener;
    private volatile Socket upstream;
    private volatile Tunnel tunnel;

    private RequestHead head;
    private Route route;
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
            HeadReader.Result result = new HeadReader(listener.settings().head()).read(client);
            head = result.head();
            bytesIn = result.bytesRead();
            route = slot.overClientLimit() ? null : listener.router().route(head).orElse(null);
            if (slot.overClientLimit()) {
                outcome = answer(429, "more than " + listener.settings().connections().maxConnectionsPerClient()
                        + " connections from this address");
            } else if (route == null) {
                outcome = answer(404, "no route for " + head.method() + " " + head.path()
                        + head.host().map(host -> " on host " + host).orElse(""));
            } else if (route.target() instanceof Target.Local local) {
                listener.localApps().handOff(local.app(),
                        new HandOff(channel, result.buffered(), info(), slot::release));
                handedOff = true;
                outcome = "handed off";
            } else {
                outcome = forward((Target.Remote) route.target(), result);
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
                closeQuietly(client);
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
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    private String forward(Target.Remote remote, HeadReader.Result result) throws ConnectFailure, IOException,
            InterruptedException {
        upstream = UpstreamConnector.connect(remote);
        client.setTcpNoDelay(true);
        upstream.getOutputStream().write(firstBytes(result));
        Tunnel running = new Tunnel(client, upstream, listener.settings().tunnel(), route.idleTimeoutFor(head),
                listener.timer(), listener.copyLoopCounter());
        tunnel = running;
        String outcome = running.run();
        bytesIn += running.bytesFromClient();
        bytesOut += running.bytesToClient();
        return outcome;
    }

    /** The (rewritten) head and the bytes that followed it, as one write. */
    private byte[] firstBytes(HeadReader.Result result) {
        byte[] rewritten = route.rewrite().apply(head);
        ByteBuffer leftover = result.leftover();
        byte[] bytes = new byte[rewritten.length + leftover.remaining()];
        System.arraycopy(rewritten, 0, bytes, 0, rewritten.length);
        leftover.get(bytes, rewritten.length, leftover.remaining());
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
        Optional<RequestHead> known = Optional.ofNullable(head);
        return new ConnectionInfo(id, clientAddress, startNanos,
                known.map(RequestHead::method).orElse(null), known.map(RequestHead::path).orElse(null),
                route == null ? null : route.name(), route == null ? null : route.target().describe());
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // The connection is over either way.
            }
        }
    }
}
