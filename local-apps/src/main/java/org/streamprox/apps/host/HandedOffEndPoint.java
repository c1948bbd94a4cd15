package org.streamprox.apps.host;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.streamprox.proxy.local.HandOff;
import org.streamprox.proxy.observe.Outcome;

/**
 * The socket of a handed-off connection as Jetty sees it. It remembers which app the connection belongs to, so
 * every request on it (keep-alive included) reaches that app, and counts the bytes that cross it; when it closes
 * it reports them to the connection's record and finishes it. Counting here rather than in Jetty's
 * {@code Connection} keeps the totals right across a WebSocket upgrade, which replaces the connection. Under TLS
 * the decrypted bytes are counted instead (as the engine counts them for its own connections), by Jetty's
 * decrypting end point over this one, through {@link #countDecrypted}. Its remote address is the client's, which a
 * PROXY header may have named, rather than the socket's peer.
 */
final class HandedOffEndPoint extends SocketChannelEndPoint {

    private final HandOff handOff;
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    /** Requests on one connection come one after the other: only the handler of the first touches this. */
    private boolean firstResponseReported;

    HandedOffEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler,
                      HandOff handOff) {
        super(channel, selector, key, scheduler);
        this.handOff = handOff;
    }

    String app() {
        return handOff.app();
    }

    /** The client as the engine knows it: the peer, or the client a trusted proxy's PROXY header named. */
    @Override
    public SocketAddress getRemoteSocketAddress() {
        return handOff.connection().client();
    }

    /**
     * The callback of a request, which for the connection's first request also reports the response's status to the
     * record, before Jetty completes the response (and may close the connection).
     */
    Callback reportingFirstStatus(Response response, Callback callback) {
        if (firstResponseReported) {
            return callback;
        }
        firstResponseReported = true;
        return new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                handOff.connection().respondedWith(response.getStatus());
                super.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                handOff.connection().respondedWith(response.getStatus());
                super.failed(failure);
            }
        };
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        int filled = super.fill(buffer);
        if (handOff.tls().isEmpty()) {
            countIn(filled);
        }
        return filled;
    }

    @Override
    public boolean flush(ByteBuffer... buffers) throws IOException {
        if (handOff.tls().isPresent()) {
            return super.flush(buffers);
        }
        long before = remaining(buffers);
        try {
            return super.flush(buffers);
        } finally {
            bytesOut.addAndGet(before - remaining(buffers));
        }
    }

    /** Bytes Jetty's TLS layer decrypted from this socket ({@code filled}, as a fill returns it) or encrypted to it. */
    void countDecrypted(int filled, long flushed) {
        countIn(filled);
        bytesOut.addAndGet(flushed);
    }

    private void countIn(int filled) {
        if (filled > 0) {
            bytesIn.addAndGet(filled);
        }
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        handOff.connection().countBytes(bytesIn.get(), bytesOut.get());
        handOff.connection().finish(Outcome.ofLocalApp(cause));
    }

    static long remaining(ByteBuffer[] buffers) {
        long remaining = 0;
        for (ByteBuffer buffer : buffers) {
            if (buffer != null) {
                remaining += buffer.remaining();
            }
        }
        return remaining;
    }
}
