package org.streamprox.proxy.remote;

import java.io.IOException;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.streamprox.proxy.TunnelSettings;

/**
 * Copies bytes both ways between a client and its upstream until both directions have ended: one blocking
 * copy loop per direction, each on its own virtual thread. An end of stream on one side becomes a half-close on
 * the other, so the opposite direction keeps flowing; an error on either side resets both. Backpressure is the
 * blocking write.
 *
 * <p>Memory: a loop waits for data with a small heap buffer and borrows a pooled direct buffer of the configured
 * copy size only while a burst lasts (while reads keep filling the buffer), so an idle connection holds two small
 * buffers and a busy one at most two copy buffers, copied without an extra trip through the heap.
 */
public final class Tunnel {

    /** What a loop waits with: large enough for typical requests and small responses in one read. */
    static final int WAITING_BUFFER_SIZE = 1024;

    private final SocketChannel client;
    private final SocketChannel upstream;
    private final TunnelSettings settings;
    private final BufferPool bursts;
    private final ScheduledExecutorService timer;
    private final AtomicInteger activeCopyLoops;
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicReference<ScheduledFuture<?>> halfCloseDeadline = new AtomicReference<>();
    private final Optional<Duration> idleTimeout;
    private ScheduledFuture<?> idleCheck;
    private boolean finished;
    private volatile long lastActivityNanos = System.nanoTime();
    private long bytesFromClient;
    private long bytesToClient;

    /**
     * @param bursts          the pool of copy buffers, of {@code settings.copyBufferSize()} bytes
     * @param idleTimeout     how long both directions may be silent; empty for no limit
     * @param timer           runs the idle and half-close deadlines
     * @param activeCopyLoops a counter of running copy loops, shared by the listener, for tests and metrics
     */
    public Tunnel(SocketChannel client, SocketChannel upstream, TunnelSettings settings, BufferPool bursts,
                  Optional<Duration> idleTimeout, ScheduledExecutorService timer, AtomicInteger activeCopyLoops) {
        this.client = client;
        this.upstream = upstream;
        this.settings = settings;
        this.bursts = bursts;
        this.idleTimeout = idleTimeout;
        this.timer = timer;
        this.activeCopyLoops = activeCopyLoops;
    }

    /**
     * Runs both copy loops and returns when both have ended; the channels are closed by then.
     *
     * @return {@code ok}, or why the connection was cut
     */
    public String run() throws InterruptedException {
        idleTimeout.ifPresent(timeout -> scheduleIdleCheck(timeout.toNanos()));
        Thread downstream = Thread.ofVirtual().name(Thread.currentThread().getName() + "-down")
                .start(() -> bytesToClient = copy(upstream, client, "upstream", "client"));
        bytesFromClient = copy(client, upstream, "client", "upstream");
        downstream.join();
        synchronized (this) {
            finished = true;
            cancel(idleCheck);
        }
        cancel(halfCloseDeadline.get());
        closeQuietly(client);
        closeQuietly(upstream);
        String reason = failure.get();
        return reason == null ? "ok" : reason;
    }

    /** Bytes copied from client to upstream; valid after {@link #run()}. */
    public long bytesFromClient() {
        return bytesFromClient;
    }

    /** Bytes copied from upstream to client; valid after {@link #run()}. */
    public long bytesToClient() {
        return bytesToClient;
    }

    /** Cuts both directions at once, resetting both peers, for example on shutdown. */
    public void abort(String reason) {
        if (failure.compareAndSet(null, reason)) {
            reset(client);
            reset(upstream);
        }
    }

    private long copy(SocketChannel from, SocketChannel to, String fromName, String toName) {
        activeCopyLoops.incrementAndGet();
        long copied = 0;
        String failingSide = fromName;
        ByteBuffer waiting = ByteBuffer.allocate(WAITING_BUFFER_SIZE);
        ByteBuffer burst = null;
        try {
            while (true) {
                ByteBuffer buffer = burst != null ? burst : waiting;
                buffer.clear();
                int read = from.read(buffer);
                if (read < 0) {
                    break;
                }
                buffer.flip();
                failingSide = toName;
                writeFully(to, buffer);
                failingSide = fromName;
                copied += read;
                // Only the idle check reads the clock mark; without one, keep the copy loop free of it.
                if (idleTimeout.isPresent()) {
                    lastActivityNanos = System.nanoTime();
                }
                // A full read means more is probably waiting: take a copy buffer until a read comes up short.
                if (read == buffer.capacity() && burst == null) {
                    burst = bursts.take();
                } else if (read < buffer.capacity() && burst != null) {
                    bursts.give(burst);
                    burst = null;
                }
            }
            to.shutdownOutput();
            startHalfCloseDeadline();
        } catch (IOException e) {
            abort(describe(failingSide, e));
        } finally {
            if (burst != null) {
                bursts.give(burst);
            }
            activeCopyLoops.decrementAndGet();
        }
        return copied;
    }

    /**
     * Writes all of the buffer. A blocking channel's write may return early on a virtual thread, whose socket
     * is non-blocking underneath.
     */
    public static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /**
     * Checks for silence when the timeout could first have run out, and again after each later sign of life,
     * rather than arming a timer for every read.
     */
    private synchronized void scheduleIdleCheck(long delayNanos) {
        if (finished) {
            return;
        }
        idleCheck = timer.schedule(() -> {
            long idleNanos = System.nanoTime() - lastActivityNanos;
            long timeoutNanos = idleTimeout.orElseThrow().toNanos();
            if (idleNanos >= timeoutNanos) {
                abort("idle for " + idleTimeout.orElseThrow().toMillis() + " ms");
            } else if (failure.get() == null) {
                scheduleIdleCheck(timeoutNanos - idleNanos);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The first direction to end starts the clock on the other; the second finds it running. */
    private void startHalfCloseDeadline() {
        long millis = settings.halfCloseTimeout().toMillis();
        ScheduledFuture<?> deadline = timer.schedule(() -> abort("half-closed for " + millis + " ms"), millis,
                TimeUnit.MILLISECONDS);
        if (!halfCloseDeadline.compareAndSet(null, deadline)) {
            deadline.cancel(false);
        }
    }

    private String describe(String side, IOException e) {
        String current = failure.get();
        if (current != null || e instanceof AsynchronousCloseException) {
            return current != null ? current : "closed";
        }
        String message = String.valueOf(e.getMessage());
        if (e instanceof SocketException || message.contains("reset") || message.contains("Broken pipe")) {
            return side + " reset the connection";
        }
        return side + " side failed: " + message;
    }

    private static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    /** Closes with SO_LINGER 0 so the peer sees a reset, not an end of stream that looks like success. */
    private static void reset(SocketChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException ignored) {
            // Already closed; close() below is then a no-op.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing is best effort; the connection is over.
        }
    }
}
