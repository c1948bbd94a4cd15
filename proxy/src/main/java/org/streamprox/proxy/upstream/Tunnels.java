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
 * half-close deadlines, and the count of running copy loops. A reload may change the settings: tunnels opened
 * afterwards copy with the new ones, those already running keep the settings and the buffer pool they started with.
 */
public final class Tunnels implements AutoCloseable {

    /** Free copy buffers kept for reuse: enough for a busy machine's bursts; 16 MiB at the default size. */
    private static final int RETAINED_COPY_BUFFERS = 256;

    /** The settings and the buffers of that size a new tunnel takes, replaced together. */
    record Setup(TunnelSettings settings, BufferPool bursts) {

        private Setup(TunnelSettings settings) {
            this(settings, new BufferPool(settings.copyBufferSize(), RETAINED_COPY_BUFFERS));
        }
    }

    private volatile Setup setup;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicInteger runningCopyLoops = new AtomicInteger();

    public Tunnels(TunnelSettings settings) {
        this.setup = new Setup(settings);
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

    /**
     * Tunnels opened from now on copy with these settings. A new copy-buffer size starts a new pool: buffers of the
     * old size go back to the old pool, which is dropped once the last tunnel using it ends.
     */
    public synchronized void reconfigure(TunnelSettings settings) {
        if (!settings.equals(setup.settings())) {
            setup = settings.copyBufferSize() == setup.settings().copyBufferSize()
                    ? new Setup(settings, setup.bursts()) : new Setup(settings);
        }
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

    /** What a tunnel opened now copies with. */
    Setup setup() {
        return setup;
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
