package org.streamprox.proxy.upstream;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.streamprox.proxy.http.StatusLineSniffer;
import org.streamprox.proxy.observe.LiveBytes;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.transport.Transport;

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
public final class Tunnel implements LiveBytes {

    /** What a loop waits with: large enough for typical requests and small responses in one read. */
    static final int WAITING_BUFFER_SIZE = 1024;

    private static final VarHandle BYTES_FROM_CLIENT;
    private static final VarHandle BYTES_TO_CLIENT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            BYTES_FROM_CLIENT = lookup.findVarHandle(Tunnel.class, "bytesFromClient", long.class);
            BYTES_TO_CLIENT = lookup.findVarHandle(Tunnel.class, "bytesToClient", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Tunnels shared;
    /** The settings and buffers it keeps to the end, whatever a reload changes meanwhile. */
    private final Tunnels.Setup setup;
    private final Transport client;
    private final Transport upstream;
    private final Optional<Duration> idleTimeout;
    private final StatusLineSniffer responseStatus;
    private final AtomicReference<Outcome> failure = new AtomicReference<>();
    private final AtomicReference<ScheduledFuture<?>> halfCloseDeadline = new AtomicReference<>();
    private ScheduledFuture<?> idleCheck;
    private boolean finished;
    private volatile long lastActivityNanos = System.nanoTime();
    // Each written by its own copy loop after every write and read by other threads while the loops run. Opaque
    // access costs what a plain field does (no fence), yet cannot tear and shows the loop's count soon after.
    private long bytesFromClient;
    private long bytesToClient;

    Tunnel(Tunnels shared, Transport client, Transport upstream, Optional<Duration> idleTimeout,
           StatusLineSniffer responseStatus) {
        this.shared = shared;
        this.setup = shared.setup();
        this.client = client;
        this.upstream = upstream;
        this.idleTimeout = idleTimeout;
        this.responseStatus = responseStatus;
    }

    /**
     * Runs both copy loops and returns when both have ended; both sides are closed by then.
     *
     * @return {@link Outcome#OK}, or why the connection was cut
     */
    public Outcome run() throws InterruptedException {
        idleTimeout.ifPresent(timeout -> scheduleIdleCheck(timeout.toNanos()));
        Thread downstream = Thread.ofVirtual().name(Thread.currentThread().getName() + "-down")
                .start(() -> copy(upstream, client, false));
        copy(client, upstream, true);
        downstream.join();
        synchronized (this) {
            finished = true;
            cancel(idleCheck);
        }
        cancel(halfCloseDeadline.get());
        client.close();
        upstream.close();
        Outcome cut = failure.get();
        return cut == null ? Outcome.OK : cut;
    }

    /** Bytes copied from client to upstream so far; all of them once {@link #run()} has returned. */
    @Override
    public long bytesFromClient() {
        return (long) BYTES_FROM_CLIENT.getOpaque(this);
    }

    /** Bytes copied from upstream to client so far; all of them once {@link #run()} has returned. */
    @Override
    public long bytesToClient() {
        return (long) BYTES_TO_CLIENT.getOpaque(this);
    }

    /** The status of the upstream's first response, or 0 if none was seen; valid after {@link #run()}. */
    public int responseStatus() {
        return responseStatus == null ? 0 : responseStatus.status();
    }

    /** Cuts both directions at once, resetting both peers, for example on shutdown. */
    public void abort(Outcome why) {
        if (failure.compareAndSet(null, why)) {
            client.reset();
            upstream.reset();
        }
    }

    private void copy(Transport from, Transport to, boolean fromClient) {
        shared.copyLoopStarted();
        long copied = 0;
        boolean failingSideIsClient = fromClient;
        ByteBuffer waiting = ByteBuffer.allocate(WAITING_BUFFER_SIZE);
        ByteBuffer burst = null;
        BufferPool bursts = setup.bursts();
        // Only the first bytes from the upstream are looked at, where they lie: nothing is copied or held back.
        StatusLineSniffer sniffing = fromClient ? null : responseStatus;
        try {
            while (true) {
                ByteBuffer buffer = burst != null ? burst : waiting;
                buffer.clear();
                int read = from.read(buffer);
                if (read < 0) {
                    break;
                }
                buffer.flip();
                if (sniffing != null && !sniffing.feed(buffer)) {
                    sniffing = null;
                }
                failingSideIsClient = !fromClient;
                to.write(buffer);
                failingSideIsClient = fromClient;
                copied += read;
                if (fromClient) {
                    BYTES_FROM_CLIENT.setOpaque(this, copied);
                } else {
                    BYTES_TO_CLIENT.setOpaque(this, copied);
                }
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
            abort(describe(failingSideIsClient, e));
        } finally {
            if (burst != null) {
                bursts.give(burst);
            }
            shared.copyLoopEnded();
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
        idleCheck = shared.timer().schedule(() -> {
            long idleNanos = System.nanoTime() - lastActivityNanos;
            long timeoutNanos = idleTimeout.orElseThrow().toNanos();
            if (idleNanos >= timeoutNanos) {
                abort(Outcome.idleFor(idleTimeout.orElseThrow()));
            } else if (failure.get() == null) {
                scheduleIdleCheck(timeoutNanos - idleNanos);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The first direction to end starts the clock on the other; the second finds it running. */
    private void startHalfCloseDeadline() {
        Duration timeout = setup.settings().halfCloseTimeout();
        ScheduledFuture<?> deadline = shared.timer().schedule(() -> abort(Outcome.halfClosedFor(timeout)),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!halfCloseDeadline.compareAndSet(null, deadline)) {
            deadline.cancel(false);
        }
    }

    private Outcome describe(boolean clientSide, IOException e) {
        Outcome current = failure.get();
        if (current != null || e instanceof AsynchronousCloseException) {
            return current != null ? current : Outcome.closed("");
        }
        String message = String.valueOf(e.getMessage());
        if (e instanceof SocketException || message.contains("reset") || message.contains("Broken pipe")) {
            return clientSide ? Outcome.CLIENT_RESET : Outcome.UPSTREAM_RESET;
        }
        return Outcome.sideFailed(clientSide, e);
    }

    private static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }
}
