package org.streamprox.proxy.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.streamprox.proxy.observe.ConnectionSummary.Stages;
import org.streamprox.proxy.observe.ConnectionSummary.UpstreamConnect;

/**
 * One listener's meters in a Micrometer registry: its open connections as a gauge, and each finished connection's
 * summary as counts, bytes and times (docs/operations.md, "Metrics", lists them). Labels are bounded: the listener,
 * the route's name, an outcome kind, a status, a protocol's name, a refusal; never a client's address or a path.
 *
 * <p>A meter is looked up in the registry once, when its labels first occur, and kept: a finished connection then
 * costs a few map reads and the increments, not a registry lookup per meter.
 */
final class ConnectionMetrics implements ListenerMetrics {

    /** For the waits before a connection is served: its head, its upstream's connect. */
    private static final Duration[] WAIT_BUCKETS = millis(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000);
    /** For whole connections: a refusal takes milliseconds, a WebSocket hours. */
    private static final Duration[] LIFETIME_BUCKETS = millis(10, 100, 1000, 10_000, 60_000, 600_000, 3_600_000);
    /** The route label of a connection no route took. */
    private static final String NO_ROUTE = "-";

    private final MeterRegistry registry;
    private final Tags listener;
    private final Gauge open;
    private final Timer headRead;
    private final Counter tlsHandshakesDone;
    private final Counter tlsHandshakesFailed;
    /** By {@link Refusal#ordinal()}: the set is fixed, so every reason is there from the start, at zero. */
    private final Counter[] refusals;
    private final ConcurrentHashMap<String, Counter> detections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();

    ConnectionMetrics(MeterRegistry registry, String listenerName, IntSupplier admitted) {
        this.registry = registry;
        this.listener = Tags.of("listener", listenerName);
        this.open = Gauge.builder("streamprox.connections.open", admitted, IntSupplier::getAsInt)
                .description("Connections the listener holds now, those handed to local apps included")
                .tags(listener).strongReference(true).register(registry);
        this.headRead = Timer.builder("streamprox.head.read")
                .description("From accept until the first request's head was read, TLS handshake included")
                .tags(listener).serviceLevelObjectives(WAIT_BUCKETS).register(registry);
        this.tlsHandshakesDone = tlsHandshakes("ok");
        this.tlsHandshakesFailed = tlsHandshakes("failed");
        Refusal[] reasons = Refusal.values();
        this.refusals = new Counter[reasons.length];
        for (Refusal reason : reasons) {
            refusals[reason.ordinal()] = Counter.builder("streamprox.refusals")
                    .description("Connections the engine refused, by reason")
                    .tags(listener).tag("reason", reason.label()).register(registry);
        }
    }

    @Override
    public void routed(String route) {
        cached(routes, route, RouteMeters::new).open.incrementAndGet();
    }

    @Override
    public void finished(ConnectionSummary connection) {
        cached(routes, connection.route() == null ? NO_ROUTE : connection.route(), RouteMeters::new)
                .finished(connection);
        Stages stages = connection.stages();
        if (stages.headRead() != null) {
            headRead.record(stages.headRead());
        }
        if (stages.detected() != null) {
            cached(detections, stages.detected(), this::detections).increment();
        }
        switch (stages.tlsHandshake()) {
            case DONE -> tlsHandshakesDone.increment();
            case FAILED -> tlsHandshakesFailed.increment();
            case NONE -> {
            }
        }
        Refusal refusal = connection.outcome().refusal();
        if (refusal != null) {
            refusals[refusal.ordinal()].increment();
        }
    }

    @Override
    public void close() {
        registry.remove(open);
        routes.values().forEach(route -> registry.remove(route.openGauge));
    }

    private Counter tlsHandshakes(String result) {
        return Counter.builder("streamprox.tls.handshakes")
                .description("TLS handshakes of the engine's own with clients (not those passed through)")
                .tags(listener).tag("result", result).register(registry);
    }

    private Counter detections(String protocol) {
        return Counter.builder("streamprox.detections")
                .description("What connections' first bytes were taken for, on listeners that tell them apart")
                .tags(listener).tag("protocol", protocol).register(registry);
    }

    /** The meters of one route on this listener. */
    private final class RouteMeters {

        private final Tags tags;
        /** Connections the route took that have not finished: handed to a local app, tunnelled, answered. */
        private final AtomicInteger open = new AtomicInteger();
        private final Gauge openGauge;
        private final Counter received;
        private final Counter sent;
        private final Timer duration;
        /** Finished connections: for each way to end, counters by the status. Filled once, then only read. */
        private final Map<Outcome.Kind, ConcurrentHashMap<Integer, Counter>> connections =
                new EnumMap<>(Outcome.Kind.class);
        private final ConcurrentHashMap<Boolean, Timer> upstreamConnects = new ConcurrentHashMap<>();

        RouteMeters(String route) {
            tags = listener.and("route", route);
            openGauge = Gauge.builder("streamprox.route.connections.open", open, AtomicInteger::get)
                    .description("Connections a route took that have not finished yet")
                    .tags(tags).register(registry);
            received = Counter.builder("streamprox.client.received").baseUnit(BaseUnits.BYTES)
                    .description("Bytes read from clients, counted when their connection ends")
                    .tags(tags).register(registry);
            sent = Counter.builder("streamprox.client.sent").baseUnit(BaseUnits.BYTES)
                    .description("Bytes written to clients, counted when their connection ends")
                    .tags(tags).register(registry);
            duration = Timer.builder("streamprox.connection.duration")
                    .description("Connections from accept to their end")
                    .tags(tags).serviceLevelObjectives(LIFETIME_BUCKETS).register(registry);
            for (Outcome.Kind kind : Outcome.Kind.values()) {
                connections.put(kind, new ConcurrentHashMap<>());
            }
        }

        void finished(ConnectionSummary connection) {
            if (connection.route() != null) {
                open.decrementAndGet();
            }
            Outcome.Kind kind = connection.outcome().kind();
            cached(connections.get(kind), connection.responseStatus(), status -> connections(kind, status)).increment();
            received.increment(connection.bytesFromClient());
            sent.increment(connection.bytesToClient());
            duration.record(connection.duration());
            UpstreamConnect connect = connection.stages().upstreamConnect();
            if (connect != null) {
                cached(upstreamConnects, connect.connected(), this::upstreamConnects).record(connect.took());
            }
        }

        private Counter connections(Outcome.Kind kind, int status) {
            return Counter.builder("streamprox.connections")
                    .description("Finished connections, by how they ended and the first response's status")
                    .tags(tags).tag("outcome", kind.label())
                    .tag("status", status == 0 ? "none" : Integer.toString(status)).register(registry);
        }

        private Timer upstreamConnects(boolean connected) {
            return Timer.builder("streamprox.upstream.connect")
                    .description("Connecting to upstreams, TLS handshake and PROXY header included")
                    .tags(tags).tag("result", connected ? "ok" : "failed")
                    .serviceLevelObjectives(WAIT_BUCKETS).register(registry);
        }
    }

    /** The meter kept for {@code key}, registered on first use. */
    private static <K, M> M cached(ConcurrentHashMap<K, M> meters, K key, Function<K, M> register) {
        M meter = meters.get(key);
        return meter != null ? meter : meters.computeIfAbsent(key, register);
    }

    private static Duration[] millis(long... bounds) {
        Duration[] durations = new Duration[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            durations[i] = Duration.ofMillis(bounds[i]);
        }
        return durations;
    }
}
