package org.streamprox.proxy.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
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
import org.streamprox.proxy.route.Router;
import org.streamprox.proxy.upstream.Tunnels;
import sun.misc.Signal;

/**
 * A running StreamProx: the one way to start and stop it. {@link #start} starts the local apps, then the listeners;
 * {@link #stop(Duration)} stops accepting on every listener, lets open connections finish, and stops the apps, all
 * within one drain budget. {@link #serveUntilStopSignal} does both around SIGTERM or SIGINT, as the command line
 * runs it, with a {@link Companion} (the admin listener) beside. The listeners share the apps, the copy machinery
 * and the access log; each has its own places.
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
    /** Set when a stop begins, before anything is closed, so a readiness probe turns away new clients first. */
    private volatile boolean draining;

    private StreamProx(List<Listener> listeners, LocalApps apps, Tunnels tunnels, Duration drainTimeout) {
        this.listeners = List.copyOf(listeners);
        this.apps = apps;
        this.tunnels = tunnels;
        this.drainTimeout = drainTimeout;
    }

    /** Starts the configuration's listeners with these apps, registered but not yet started. */
    public static StreamProx start(ProxyConfig config, LocalApps apps) throws Exception {
        return start(config.listeners().stream()
                .map(listener -> new Binding(listener.settings(), listener.router())).toList(), apps,
                Listener.ConnectionThreads.VIRTUAL);
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
        return start(List.of(new Binding(settings, router)), apps, threads);
    }

    /**
     * Starts the apps, then the listeners in order. Settings other than the address and TLS are the first
     * listener's: the configuration shares them.
     *
     * @throws IOException when a listener cannot bind; those already started and the apps are stopped again
     */
    private static StreamProx start(List<Binding> bindings, LocalApps apps, Listener.ConnectionThreads threads)
            throws Exception {
        ProxySettings shared = bindings.get(0).settings();
        apps.start(shared.head());
        Tunnels tunnels = new Tunnels(shared.tunnel());
        ConnectionLog log = new AccessLog();
        AtomicLong connectionIds = new AtomicLong();
        List<Listener> started = new ArrayList<>();
        try {
            for (Binding binding : bindings) {
                started.add(new Listener(new ListenerContext(binding.settings(), binding.router(), apps, tunnels, log),
                        threads, connectionIds));
            }
        } catch (IOException | RuntimeException e) {
            for (Listener listener : started) {
                listener.stopAccepting();
            }
            tunnels.close();
            stopApps(apps, Duration.ZERO);
            throw e;
        }
        return new StreamProx(started, apps, tunnels, shared.drainTimeout());
    }

    /**
     * Starts the proxy and its companion, serves until SIGTERM or SIGINT (Ctrl-C), then stops within the configured
     * drain time, and closes the companion last.
     *
     * @param start     starts the proxy, for example {@code () -> StreamProx.start(config, apps)}
     * @param companion what serves beside it: started once the listeners are bound, closed after the drain
     * @return whether every connection finished within the drain time
     * @throws IOException when a listener, or the companion, cannot bind
     */
    public static boolean serveUntilStopSignal(Callable<StreamProx> start, Companion companion) throws Exception {
        CountDownLatch stopRequested = new CountDownLatch(1);
        // Before starting, so a signal during start-up also ends in an orderly stop.
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
        try (StreamProx proxy = start.call()) {
            AutoCloseable beside = companion.start(proxy);
            try {
                stopRequested.await();
                LOG.info("stop requested");
                boolean drained = proxy.stop();
                LOG.info("stopped{}", drained ? "" : " (some connections were cut at the drain timeout)");
                return drained;
            } finally {
                // After the drain: the companion answers all through it.
                beside.close();
            }
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

    /**
     * Whether the proxy takes new clients: true from the moment every listener is bound until a stop begins. A
     * load balancer that asks this stops sending new clients before open connections are cut.
     */
    public boolean ready() {
        return !draining;
    }

    /** The connections served on the engine's own threads now, listener by listener (not those local apps serve). */
    public List<OpenConnection> connections() {
        return listeners.stream().flatMap(listener -> listener.connections().stream()).toList();
    }

    /** Copy loops running for remote connections: two per tunnelled connection. */
    public int activeCopyLoops() {
        return tunnels.runningCopyLoops();
    }

    /**
     * Turns not {@link #ready()}, stops accepting on every listener, waits up to {@code drain} for open connections
     * to finish and cuts the rest, then lets the local apps finish within what is left of the same time. Stopping again does nothing.
     *
     * @return whether every connection the engine served finished within the drain time
     */
    public synchronized boolean stop(Duration drain) throws InterruptedException {
        if (stopped) {
            return true;
        }
        stopped = true;
        draining = true;
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
