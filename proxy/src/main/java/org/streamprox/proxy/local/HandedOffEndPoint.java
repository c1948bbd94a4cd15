package org.streamprox.proxy.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.thread.Scheduler;
import org.streamprox.proxy.AccessLog;

/**
 * The socket of a handed-off connection as Jetty sees it. It remembers which app the connection belongs to, so
 * every request on it (keep-alive included) reaches that app, and counts the bytes that cross it, so the
 * connection's access-log line can be written when it closes; closing also gives the connection's place under
 * the listener's limits back to the engine. Counting here rather than in Jetty's
 * {@code Connection} keeps the totals right across a WebSocket upgrade, which replaces the connection.
 */
final class HandedOffEndPoint extends SocketChannelEndPoint {

    private final Arrival arrival;
    private final AtomicLong bytesIn;
    private final AtomicLong bytesOut = new AtomicLong();

    HandedOffEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler,
                      Arrival arrival) {
        super(channel, selector, key, scheduler);
        this.arrival = arrival;
        // The engine read the buffered bytes from this socket; they count as received.
        this.bytesIn = new AtomicLong(arrival.bufferedSize());
    }

    String app() {
        return arrival.app();
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        int filled = super.fill(buffer);
        if (filled > 0) {
            bytesIn.addAndGet(filled);
        }
        return filled;
    }

    @Override
    public boolean flush(ByteBuffer... buffers) throws IOException {
        long before = remaining(buffers);
        try {
            return super.flush(buffers);
        } finally {
            bytesOut.addAndGet(before - remaining(buffers));
        }
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        AccessLog.finished(arrival.handOff().connection(), bytesIn.get(), bytesOut.get(), outcome(cause));
        arrival.handOff().onClose().run();
    }

    private static String outcome(Throwable cause) {
        if (cause == null) {
            return "ok";
        }
        return cause instanceof TimeoutException ? "idle timeout" : "closed: " + cause;
    }

    private static long remaining(ByteBuffer[] buffers) {
        long remaining = 0;
        for (ByteBuffer buffer : buffers) {
            if (buffer != null) {
                remaining += buffer.remaining();
            }
        }
        return remaining;
    }
}
