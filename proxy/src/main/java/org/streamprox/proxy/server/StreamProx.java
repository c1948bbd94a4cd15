package org.streamprox.proxy.server;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.config.ProxySettings;
import org.streamprox.proxy.connection.ListenerContext;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.observe.AccessLog;
import org.streamprox.proxy.observe.ConnectionLog;
import org.streamprox.proxy.observe.EngineMetrics;
import org.streamprox.proxy.route.Router;
import org.streamprox.proxy.upstream.Tunnels;
import sun.misc.Signal;

/**
 * A running StreamProx: the one way to start and stop it. {@link #start} starts the local apps, then the listeners;
 * {@link #stop(Duration)} stops accepting on every listener, lets open connections finish, and stops the apps, all
 * within one drain budget. {@link #serveUntilStopSignal} does both around SIGTERM or SIGINT, as the command line
 * runs it. The listeners share the apps, the copy machinery, the access log and the meters' registry; each has its
 * own places.
 */
public final class StreamProx implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamProx.class);

    /** One listener to start: its settings and its routing. */
    private record Binding(ProxySettings settings, Router router) {
    }

    private final List<Listener> listeners;
    private final LocalApps apps;
    private final Tunnels tunnels;
    private final Duration drainTimeout;
    private boolean stopped;

    private StreamProx(List<Listener> listeners, LocalApps apps, Tunnels tunnels, Duration drainTimeout) {
        this.listeners = List.copyOf(listeners);
        this.apps = apps;
        this.tunnels = tunnels;
        this.drainTimeout = drainTimeout;
    }

    /** Starts the configuration's listeners with these apps, registered but not yet started; records no metrics. */
    public static StreamProx start(ProxyConfig config, LocalApps apps) throws Exception {
        return start(config, apps, EngineMetrics.OFF);
    }

    /**
     * Starts the configuration's listeners with these apps, registered but not yet started, and keeps the engine's
     * meters in {@code registry} (docs/operations.md, "Metrics").
     */
    public static StreamProx start(ProxyConfig config, LocalApps apps, MeterRegistry registry) throws Exception {
        return start(config, apps, EngineMetrics.in(registry));
    }

    private static StreamProx start(ProxyConfig config, LocalApps apps, EngineMetrics metrics) throws Exception {
        return start(config.listeners().stream()
                .map(listener -> new Binding(listener.settings(), listener.router())).toList(), apps,
                Listener.ConnectionThreads.VIRTUAL, metrics);
    }

    /**
     * Starts the apps, then binds one listener and starts accepting.
     *
     * @throws IOException when the listener cannot bind; the apps are stopped again
     */
    public static StreamProx start(ProxySettings settings, Router router, LocalApps apps) throws Exception {
        return start(settings, router, apps, Listener.ConnectionThreads.VIRTUAL);
    }

    static StreamProx start(ProxySettings settings, Router router, LocalApps apps,
                            Listener.ConnectionThreads threads) throws Exception {
        return start(List.of(new Binding(settings, router)), apps, threads, EngineMetrics.OFF);
    }

    /**
     * Starts the apps, then the listeners in order. Settings other than the address and TLS are the first
     * listener's: the configuration shares them.
     *
     * @throws IOException when a listener cannot bind; those already started and the apps are stopped again
     */
    private static StreamProx start(List<Binding> bindings, LocalApps apps, Listener.ConnectionThreads threads,
                                    EngineMetrics metrics) throws Exception {
        ProxySettings shared = bindings.get(0).settings();
        apps.start(shared.head());
        Tunnels tunnels = new Tunnels(shared.tunnel());
        ConnectionLog log = new AccessLog();
        AtomicLong connectionIds = new AtomicLong();
        List<Listener> started = new ArrayList<>();
        try {
            for (Binding binding : bindings) {
                started.add(new Listener(new ListenerContext(binding.settings(), binding.router(), apps, tunnels, log),
                        threads, connectionIds, metrics));
            }
        } catch (IOException | RuntimeException e) {
            for (Listener listener : started) {
                listener.stopAccepting();
            }
            // Cuts a connection that came meanwhile, and ends the listeners' meters.
            for (Listener listener : started) {
                listener.drain(Duration.ZERO);
            }
            tunnels.close();
            stopApps(apps, Duration.ZERO);
            throw e;
        }
        return new StreamProx(started, apps, tunnels, shared.drainTimeout());
    }

    /**
     * Serves until SIGTERM or SIGINT (Ctrl-C), then stops within the configured drain time.
     *
     * @return whether every connection finished within the drain time
     * @throws IOException when a listener cannot bind
     */
    public static boolean serveUntilStopSignal(ProxyConfig config, LocalApps apps) throws Exception {
        return serveUntilStopSignal(config, apps, EngineMetrics.OFF);
    }

    /** {@link #serveUntilStopSignal(ProxyConfig, LocalApps)}, keeping the engine's meters in {@code registry}. */
    public static boolean serveUntilStopSignal(ProxyConfig config, LocalApps apps, MeterRegistry registry)
            throws Exception {
        return serveUntilStopSignal(config, apps, EngineMetrics.in(registry));
    }

    private static boolean serveUntilStopSignal(ProxyConfig config, LocalApps apps, EngineMetrics metrics)
            throws Exception {
        CountDownLatch stopRequested = new CountDownLatch(1);
        // Before starting, so a signal during start-up also ends in an orderly stop.
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
        try (StreamProx proxy = start(config, apps, metrics)) {
            stopRequested.await();
            LOG.info("stop requested");
            boolean drained = proxy.stop();
            LOG.info("stopped{}", drained ? "" : " (some connections were cut at the drain timeout)");
            return drained;
        }
    }

    /** The first listener's bound address (useful when the configuration asked for port 0), also after stopping. */
    public InetSocketAddress localAddress() {
        return listeners.get(0).localAddress();
    }

    /** Every listener's bound address, in the configuration's order. */
    public List<InetSocketAddress> localAddresses() {
        return listeners.stream().map(Listener::localAddress).toList();
    }

    /** Connections being served on the engine's own threads: reading a head, answering, or tunnelling. */
    public int openConnections() {
        return listeners.stream().mapToInt(Listener::openConnections).sum();
    }

    /** Connections counted against {@code max-connections}: those above plus the ones local apps are serving. */
    public int admittedConnections() {
        return listeners.stream().mapToInt(Listener::admittedConnections).sum();
    }

    /** Copy loops running for remote connections: two per tunnelled connection. */
    public int activeCopyLoops() {
        return tunnels.runningCopyLoops();
    }

    /**
     * Stops accepting on every listener, waits up to {@code drain} for open connections to finish and cuts the
     * rest, then lets the local apps finish within what is left of the same time. Stopping again does nothing.
     *
     * @return whether every connection the engine served finished within the drain time
     */
    public synchronized boolean stop(Duration drain) throws InterruptedException {
        if (stopped) {
            return true;
        }
        stopped = true;
        long drainEnds = System.nanoTime() + drain.toNanos();
        for (Listener listener : listeners) {
            listener.stopAccepting();
        }
        boolean drained = true;
        for (Listener listener : listeners) {
            drained &= listener.drain(Duration.ofNanos(Math.max(0, drainEnds - System.nanoTime())));
        }
        // Handed-off connections are the apps': stop them after the listeners, so nothing new arrives meanwhile.
        stopApps(apps, Duration.ofNanos(Math.max(0, drainEnds - System.nanoTime())));
        tunnels.close();
        return drained;
    }

    /** {@link #stop(Duration)} with the configured drain time. */
    public boolean stop() throws InterruptedException {
        return stop(drainTimeout);
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
