package org.streamprox.proxy.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.streamprox.proxy.TunnelSettings;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copies bytes both ways between a client and its upstream until both directions have ended: one blocking
 * copy loop per direction, each on its own virtual thread. An end of stream on one side becomes a half-close on
 * the other, so the opposite direction keeps flowing; an error on either side resets both. Backpressure is the
 * blocking write, so a connection never holds more than its two copy buffers.
 */
public final class Tunnel {

    private final Socket client;
    private final Socket upstream;
    private final TunnelSettings settings;
    private final Optional<Duration> idleTimeout;
    private final ScheduledExecutorService timer;
    private final AtomicInteger activeCopyLoops;
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicReference<ScheduledFuture<?>> halfCloseDeadline = new AtomicReference<>();
    private volatile long lastActivityNanos = System.nanoTime();
    private long bytesFromClient;
    private long bytesToClient;

    /**
     * @param idleTimeout     how long both directions may be silent; empty for no limit
     * @param timer           runs the half-close deadline
     * @param activeCopyLoops a counter of running copy loops, shared by the listener, for tests and metrics
     */
    public Tunnel(Socket client, Socket upstream, TunnelSettings settings, Optional<Duration> idleTimeout,
                  ScheduledExecutorService timer, AtomicInteger activeCopyLoops) {
        this.client = client;
        this.upstream = upstream;
        this.settings = settings;
        this.idleTimeout = idleTimeout;
        this.timer = timer;
        this.activeCopyLoops = activeCopyLoops;
    }

    /**
     * Runs both copy loops and returns when both have ended; the sockets are closed by then.
     *
     * @return {@code ok}, or why the connection was cut
     */
    public String run() throws InterruptedException {
        try {
            int timeout = Math.toIntExact(idleTimeout.map(Duration::toMillis).orElse(0L));
            client.setSoTimeout(timeout);
            upstream.setSoTimeout(timeout);
        } catch (IOException e) {
            abort("socket options: " + e.getMessage());
        }
        Thread downstream = Thread.ofVirtual().name(Thread.currentThread().getName() + "-down")
                .start(() -> bytesToClient = copy(upstream, client, "upstream", "client"));
        bytesFromClient = copy(client, upstream, "client", "upstream");
        downstream.join();
        ScheduledFuture<?> deadline = halfCloseDeadline.get();
        if (deadline != null) {
            deadline.cancel(false);
        }
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

    private long copy(Socket from, Socket to, String fromName, String toName) {
        activeCopyLoops.incrementAndGet();
        long copied = 0;
        String failingSide = fromName;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[settings.copyBufferSize()];
            int read;
            while ((read = readOrIdle(in, buffer)) >= 0) {
                failingSide = toName;
                out.write(buffer, 0, read);
                failingSide = fromName;
                copied += read;
                lastActivityNanos = System.nanoTime();
            }
            to.shutdownOutput();
            startHalfCloseDeadline();
        } catch (IdleTimeout e) {
            abort("idle for " + idleTimeout.orElseThrow().toMillis() + " ms");
        } catch (IOException e) {
            abort(describe(failingSide, from, e));
        } finally {
            activeCopyLoops.decrementAndGet();
        }
        return copied;
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

    /** Reads; a read timeout only counts as idle when the other direction has been quiet as long. */
    private int readOrIdle(InputStream in, byte[] buffer) throws IOException {
        while (true) {
            try {
                return in.read(buffer);
            } catch (SocketTimeoutException e) {
                long idleNanos = System.nanoTime() - lastActivityNanos;
                if (idleNanos >= idleTimeout.orElseThrow().toNanos()) {
                    throw new IdleTimeout();
                }
            }
        }
    }

    private static String describe(String side, Socket from, IOException e) {
        String message = String.valueOf(e.getMessage());
        if (e instanceof SocketException && (message.contains("reset") || message.contains("Broken pipe"))) {
            return side + " reset the connection";
        }
        if (from.isClosed()) {
            return "closed";
        }
        return side + " side failed: " + message;
    }

    /** Closes with SO_LINGER 0 so the peer sees a reset, not an end of stream that looks like success. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // Already closed; close() below is then a no-op.
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort; the connection is over.
        }
    }

    private static final class IdleTimeout extends IOException {
        IdleTimeout() {
            super("idle", null);
        }
    }
}
