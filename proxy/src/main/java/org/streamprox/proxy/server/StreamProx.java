package org.streamprox.proxy.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.config.ProxySettings;
import org.streamprox.proxy.connection.ListenerContext;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.observe.AccessLog;
import org.streamprox.proxy.route.Router;
import org.streamprox.proxy.upstream.Tunnels;
import sun.misc.Signal;

/**
 * A running StreamProx: the one way to start and stop it. {@link #start} starts the local apps, then the listener;
 * {@link #stop(Duration)} stops accepting, lets open connections finish, and stops the apps, all within one drain
 * budget. {@link #serveUntilStopSignal} does both around SIGTERM or SIGINT, as the command line runs it.
 */
public final class StreamProx implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamProx.class);

    private final Listener listener;
    private boolean stopped;

    private StreamProx(Listener listener) {
        this.listener = listener;
    }

    /** Starts the configuration's listener with these apps, registered but not yet started. */
    public static StreamProx start(ProxyConfig config, LocalApps apps) throws Exception {
        return start(config.settings(), config.router(), apps);
    }

    /**
     * Starts the apps, then binds the listener and starts accepting.
     *
     * @throws IOException when the listener cannot bind; the apps are stopped again
     */
    public static StreamProx start(ProxySettings settings, Router router, LocalApps apps) throws Exception {
        return start(settings, router, apps, Listener.ConnectionThreads.VIRTUAL);
    }

    static StreamProx start(ProxySettings settings, Router router, LocalApps apps,
                            Listener.ConnectionThreads threads) throws Exception {
        apps.start(settings.head());
        Tunnels tunnels = new Tunnels(settings.tunnel());
        try {
            return new StreamProx(new Listener(new ListenerContext(settings, router, apps, tunnels, new AccessLog()),
                    threads));
        } catch (IOException | RuntimeException e) {
            tunnels.close();
            stopApps(apps, Duration.ZERO);
            throw e;
        }
    }

    /**
     * Serves until SIGTERM or SIGINT (Ctrl-C), then stops within the configured drain time.
     *
     * @return whether every connection finished within the drain time
     * @throws IOException when the listener cannot bind
     */
    public static boolean serveUntilStopSignal(ProxyConfig config, LocalApps apps) throws Exception {
        CountDownLatch stopRequested = new CountDownLatch(1);
        // Before starting, so a signal during start-up also ends in an orderly stop.
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
        try (StreamProx proxy = start(config, apps)) {
            stopRequested.await();
            LOG.info("stop requested");
            boolean drained = proxy.stop();
            LOG.info("stopped{}", drained ? "" : " (some connections were cut at the drain timeout)");
            return drained;
        }
    }

    /** The listener's bound address (useful when the configuration asked for port 0), also after stopping. */
    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    /** Connections being served on the engine's own threads: reading a head, answering, or tunnelling. */
    public int openConnections() {
        return listener.openConnections();
    }

    /** Connections counted against {@code max-connections}: those above plus the ones local apps are serving. */
    public int admittedConnections() {
        return listener.admittedConnections();
    }

    /** Copy loops running for remote connections: two per tunnelled connection. */
    public int activeCopyLoops() {
        return listener.context().tunnels().runningCopyLoops();
    }

    /**
     * Stops accepting, waits up to {@code drain} for open connections to finish and cuts the rest, then lets the
     * local apps finish within what is left of the same time. Stopping again does nothing.
     *
     * @return whether every connection the engine served finished within the drain time
     */
    public synchronized boolean stop(Duration drain) throws InterruptedException {
        if (stopped) {
            return true;
        }
        stopped = true;
        long drainEnds = System.nanoTime() + drain.toNanos();
        boolean drained = listener.stop(drain);
        // Handed-off connections are the apps': stop them after the listener, so nothing new arrives meanwhile.
        stopApps(listener.context().apps(), Duration.ofNanos(Math.max(0, drainEnds - System.nanoTime())));
        listener.context().tunnels().close();
        return drained;
    }

    /** {@link #stop(Duration)} with the configured drain time. */
    public boolean stop() throws InterruptedException {
        return stop(listener.context().settings().drainTimeout());
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static void stopApps(LocalApps apps, Duration timeout) throws InterruptedException {
        try {
            apps.stop(timeout);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            LOG.warn("stopping the local apps failed", e);
        }
    }
}
