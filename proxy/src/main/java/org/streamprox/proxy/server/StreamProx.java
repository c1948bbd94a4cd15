package org.streamprox.proxy.server;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.config.ProxySettings;
import org.streamprox.proxy.connection.ListenerContext;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.observe.AccessLog;
import org.streamprox.proxy.observe.ConnectionLog;
import org.streamprox.proxy.observe.EngineMetrics;
import org.streamprox.proxy.pool.Pool;
import org.streamprox.proxy.route.Router;
import org.streamprox.proxy.upstream.Tunnels;
import sun.misc.Signal;

/**
 * A running StreamProx: the one way to start, reload and stop it. {@link #start} starts the local apps, then the
 * listeners; {@link #reload} applies a new configuration to the connections that arrive from then on;
 * {@link #stop(Duration)} stops accepting on every listener, lets open connections finish, and stops the apps, all
 * within one drain budget. {@link #serveUntilStopSignal} does both ends around SIGTERM or SIGINT, as the command
 * line runs it, with a {@link Companion} (the reload triggers, the admin listener) beside. The listeners share the
 * apps, the copy machinery, the access log and the meters' registry; each has its own places.
 */
public final class StreamProx implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamProx.class);

    /** One listener to start: its settings and its routing. */
    private record Binding(ProxySettings settings, Router router) {

        static List<Binding> of(ProxyConfig config) {
            return config.listeners().stream()
                    .map(listener -> new Binding(listener.settings(), listener.router())).toList();
        }
    }

    /**
     * What a reload did to the listeners, each named by its address with the port it is bound to.
     *
     * @param kept    listeners whose address the new configuration has too: their sockets stayed open
     * @param added   listeners bound for the new configuration
     * @param removed listeners the new configuration has no more: they stopped accepting and drain their connections
     */
    public record Reloaded(List<String> kept, List<String> added, List<String> removed) {

        public Reloaded {
            kept = List.copyOf(kept);
            added = List.copyOf(added);
            removed = List.copyOf(removed);
        }

        @Override
        public String toString() {
            return "listeners kept: " + names(kept) + "; added: " + names(added) + "; removed: " + names(removed);
        }

        private static String names(List<String> addresses) {
            return addresses.isEmpty() ? "none" : String.join(", ", addresses);
        }
    }

    private final LocalApps apps;
    private final Tunnels tunnels;
    private final Listener.ConnectionThreads threads;
    private final EngineMetrics metrics;
    private final ConnectionLog log = new AccessLog();
    /** Numbers connections across all listeners, so the access log's are unique. */
    private final AtomicLong connectionIds = new AtomicLong();
    /** In the configuration's order; replaced whole, under the lock, by a reload. */
    private volatile List<Listener> listeners = List.of();
    /** The configuration's pools; replaced whole by a reload. */
    private volatile List<Pool> pools = List.of();
    /** Resolves the pools' names again and runs their checks, each a short task. */
    private final ScheduledExecutorService poolTasks = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("streamprox-pools").daemon().factory());
    /** Listeners a reload removed, still draining, each with the thread that drains it. */
    private final Map<Listener, Thread> retiring = new ConcurrentHashMap<>();
    private volatile Duration drainTimeout;
    /** Set when a stop begins, before anything is closed, so a readiness probe turns away new clients first. */
    private volatile boolean stopping;
    private boolean stopped;

    private StreamProx(LocalApps apps, Tunnels tunnels, Listener.ConnectionThreads threads, EngineMetrics metrics,
                       Duration drainTimeout) {
        this.apps = apps;
        this.metrics = metrics;
        this.tunnels = tunnels;
        this.threads = threads;
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
        return start(Binding.of(config), config.pools(), apps, Listener.ConnectionThreads.VIRTUAL, metrics);
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
        return start(List.of(new Binding(settings, router)), List.of(), apps, threads, EngineMetrics.OFF);
    }

    /**
     * Starts the apps, then binds every listener, then starts accepting on them. Settings other than a listener's
     * own (address, TLS, first bytes, routes) are the first listener's: the configuration shares them.
     *
     * @param pools the pools to start: resolving their names and checking their servers
     * @throws IOException when a listener cannot bind; those already bound and the apps are stopped again
     */
    private static StreamProx start(List<Binding> bindings, List<Pool> pools, LocalApps apps,
                                    Listener.ConnectionThreads threads, EngineMetrics metrics) throws Exception {
        ProxySettings shared = bindings.get(0).settings();
        apps.start(shared.head());
        StreamProx proxy = new StreamProx(apps, new Tunnels(shared.tunnel()), threads, metrics,
                shared.drainTimeout());
        try {
            proxy.apply(bindings, pools);
        } catch (IOException | RuntimeException e) {
            proxy.poolTasks.shutdownNow();
            proxy.tunnels.close();
            stopApps(apps, Duration.ZERO);
            throw e;
        }
        return proxy;
    }

    /**
     * Starts the proxy and its companion, serves until SIGTERM or SIGINT (Ctrl-C), then stops within the configured
     * drain time, and closes the companion last.
     *
     * @param start     starts the proxy, for example {@code () -> StreamProx.start(config, apps)}
     * @param companion what serves beside it (the reload triggers, the admin listener): started once the listeners
     *                  are bound, closed after the drain
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

    /**
     * Applies a new, already validated configuration to the connections that arrive from now on; connections
     * already accepted finish with what they were accepted with. Listeners are matched by the address the
     * configuration gives them (two on the same address, such as port 0, in their order): a listener kept takes
     * the new routes, limits, TLS and first-bytes settings without its socket being touched; one added is bound;
     * one removed stops accepting at once and drains its connections in the background within the drain timeout.
     * The shared settings follow too: the drain timeout, the copy settings of tunnels opened from now on, and the
     * local apps' head limits, which only grow (a connection accepted before may still hand off a head as long as
     * the old limit allowed).
     *
     * @throws IOException           when a new listener cannot bind; then nothing has changed
     * @throws IllegalStateException when the proxy is stopping
     */
    public Reloaded reload(ProxyConfig config) throws IOException, InterruptedException {
        refuseWhenStopping();
        synchronized (this) {
            // Checked again: a stop that began while this waited for the lock has finished by now.
            refuseWhenStopping();
            Reloaded reloaded = apply(Binding.of(config), config.pools());
            LOG.info("configuration reloaded: {}", reloaded);
            return reloaded;
        }
    }

    private void refuseWhenStopping() {
        if (stopping) {
            throw new IllegalStateException("StreamProx is stopping");
        }
    }

    /** Binds what is new first, so a bind failure leaves everything as it was; then nothing can fail. */
    private synchronized Reloaded apply(List<Binding> bindings, List<Pool> newPools)
            throws IOException, InterruptedException {
        Map<InetSocketAddress, Deque<Listener>> unmatched = new HashMap<>();
        for (Listener listener : listeners) {
            unmatched.computeIfAbsent(listener.configuredAddress(), address -> new ArrayDeque<>()).add(listener);
        }
        List<Listener> next = new ArrayList<>();
        Map<Listener, ListenerContext> kept = new LinkedHashMap<>();
        List<Listener> added = new ArrayList<>();
        try {
            for (Binding binding : bindings) {
                ListenerContext context = new ListenerContext(binding.settings(), binding.router(), apps, tunnels, log);
                Listener same = unmatched.getOrDefault(binding.settings().listen(), new ArrayDeque<>()).poll();
                if (same != null) {
                    kept.put(same, context);
                    next.add(same);
                } else {
                    Listener bound = new Listener(context, threads, connectionIds, metrics);
                    added.add(bound);
                    next.add(bound);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Listener bound : added) {
                bound.stopAccepting();
                // Ends its meters.
                bound.drain(Duration.ZERO);
            }
            throw e;
        }
        ProxySettings shared = bindings.get(0).settings();
        drainTimeout = shared.drainTimeout();
        tunnels.reconfigure(shared.tunnel());
        apps.headLimitsChanged(shared.head());
        replacePools(newPools);
        kept.forEach(Listener::reconfigure);
        added.forEach(Listener::startAccepting);
        listeners = List.copyOf(next);
        List<Listener> removed = unmatched.values().stream().flatMap(Collection::stream).toList();
        for (Listener listener : removed) {
            retire(listener);
        }
        return new Reloaded(names(kept.keySet()), names(added), names(removed));
    }

    /**
     * Stops the old pools' tasks, then starts the new configuration's pools, each taking over what the pool of its
     * name knew (open connections, health, the operator's modes): never two checks of one server at once. The pools'
     * meters move to the new ones.
     */
    private void replacePools(List<Pool> newPools) {
        Map<String, Pool> before = new HashMap<>();
        for (Pool pool : pools) {
            before.put(pool.name(), pool);
        }
        pools.forEach(Pool::stop);
        for (Pool pool : newPools) {
            Pool previous = before.get(pool.name());
            if (previous != null) {
                pool.adopt(previous);
            }
            pool.start(poolTasks);
        }
        pools = List.copyOf(newPools);
        metrics.poolsInForce(pools);
    }

    /** The pools in force, named ones first: their servers, states and counts. */
    public List<Pool> pools() {
        return pools;
    }

    private static List<String> names(Collection<Listener> listeners) {
        return listeners.stream().map(Listener::name).toList();
    }

    /** Stops accepting on a listener a reload removed, and lets its connections finish in the background. */
    private void retire(Listener listener) throws InterruptedException {
        listener.stopAccepting();
        Duration drain = drainTimeout;
        Thread draining = Thread.ofVirtual().name("streamprox-drain-" + listener.localAddress().getPort())
                .unstarted(() -> {
                    try {
                        listener.drain(drain);
                    } catch (InterruptedException e) {
                        // A stop interrupts it once it has drained the listener itself.
                    } finally {
                        retiring.remove(listener);
                    }
                });
        retiring.put(listener, draining);
        draining.start();
    }

    /** The first listener's bound address (useful when the configuration asked for port 0), also after stopping. */
    public InetSocketAddress localAddress() {
        return listeners.get(0).localAddress();
    }

    /** Every listener's bound address, in the configuration's order. */
    public List<InetSocketAddress> localAddresses() {
        return listeners.stream().map(Listener::localAddress).toList();
    }

    /**
     * Connections being served on the engine's own threads: reading a head, answering, or tunnelling; those of
     * listeners a reload removed included until they have drained.
     */
    public int openConnections() {
        return everyListener().mapToInt(Listener::openConnections).sum();
    }

    /** Connections counted against {@code max-connections}: those above plus the ones local apps are serving. */
    public int admittedConnections() {
        return everyListener().mapToInt(Listener::admittedConnections).sum();
    }

    private Stream<Listener> everyListener() {
        return Stream.concat(listeners.stream(), retiring.keySet().stream());
    }

    /**
     * Whether the proxy takes new clients: true from the moment every listener is bound until a stop begins. A
     * load balancer that asks this stops sending new clients before open connections are cut.
     */
    public boolean ready() {
        return !stopping;
    }

    /** The connections open now, listener by listener: served on the engine's own threads or by local apps. */
    public List<OpenConnection> connections() {
        return everyListener().flatMap(listener -> listener.connections().stream()).toList();
    }

    /** Copy loops running for remote connections: two per tunnelled connection. */
    public int activeCopyLoops() {
        return tunnels.runningCopyLoops();
    }

    /**
     * Turns not {@link #ready()}, stops accepting on every listener, waits up to {@code drain} for open connections
     * to finish and cuts the rest (those of listeners a reload removed too), then lets the local apps finish within
     * what is left of the same time. Stopping again does nothing.
     *
     * @return whether every connection the engine served finished within the drain time
     */
    public boolean stop(Duration drain) throws InterruptedException {
        stopping = true;
        synchronized (this) {
            if (stopped) {
                return true;
            }
            stopped = true;
            long drainEnds = System.nanoTime() + drain.toNanos();
            for (Listener listener : listeners) {
                listener.stopAccepting();
            }
            List<Thread> drainingRemoved = List.copyOf(retiring.values());
            boolean drained = true;
            for (Listener listener : everyListener().toList()) {
                drained &= listener.drain(Duration.ofNanos(Math.max(0, drainEnds - System.nanoTime())));
            }
            for (Thread draining : drainingRemoved) {
                draining.interrupt();
                draining.join();
            }
            // Handed-off connections are the apps': stop them after the listeners, so nothing new arrives meanwhile.
            stopApps(apps, Duration.ofNanos(Math.max(0, drainEnds - System.nanoTime())));
            pools.forEach(Pool::stop);
            poolTasks.shutdownNow();
            tunnels.close();
            return drained;
        }
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
