package org.streamprox.proxy.upstream;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.streamprox.proxy.http.StatusLineSniffer;
import org.streamprox.proxy.transport.Transport;

/**
 * What every tunnel of a listener shares: its settings, the pool of copy buffers, the timer that runs idle and
 * half-close deadlines, and the count of running copy loops.
 */
public final class Tunnels implements AutoCloseable {

    /** Free copy buffers kept for reuse: enough for a busy machine's bursts; 16 MiB at the default size. */
    private static final int RETAINED_COPY_BUFFERS = 256;

    private final TunnelSettings settings;
    private final BufferPool bursts;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicInteger runningCopyLoops = new AtomicInteger();

    public Tunnels(TunnelSettings settings) {
        this.settings = settings;
        this.bursts = new BufferPool(settings.copyBufferSize(), RETAINED_COPY_BUFFERS);
        this.timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("streamprox-timer").factory());
        // Most deadlines are cancelled when their connection ends well; drop them at once, not when they are due.
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * A tunnel between a client and its upstream, not yet running.
     *
     * @param idleTimeout    how long both directions may be silent; empty for no limit
     * @param responseStatus reads the status of an HTTP upstream's first response as it passes; null for protocols
     *                       that have none
     */
    public Tunnel open(Transport client, Transport upstream, Optional<Duration> idleTimeout,
                       StatusLineSniffer responseStatus) {
        return new Tunnel(this, client, upstream, idleTimeout, responseStatus);
    }

    /** Copy loops running now: two per tunnelled connection. */
    public int runningCopyLoops() {
        return runningCopyLoops.get();
    }

    /** Stops the timer; call when no tunnel runs any more. */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    TunnelSettings settings() {
        return settings;
    }

    BufferPool bursts() {
        return bursts;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    void copyLoopStarted() {
        runningCopyLoops.incrementAndGet();
    }

    void copyLoopEnded() {
        runningCopyLoops.decrementAndGet();
    }
}
