package org.streamprox.proxy.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.streamprox.proxy.pool.Member;
import org.streamprox.proxy.pool.Pool;
import org.streamprox.proxy.pool.ServerState;

/**
 * The meters of the pools in force, a set for each pool's member (docs/operations.md, "Pools"): its open
 * connections and whether it takes new ones as gauges, its connections and connect failures as function counters,
 * all read from the {@link ServerState} the pool keeps anyway, so a connection costs them nothing; and its changes
 * of state, counted as the pool reports them. Labels are the pool's name and the member's ({@link Member#name()}),
 * bounded by the configuration and the addresses its names resolve to.
 *
 * <p>The meters follow the members: a reload replaces the pools, a new resolution a pool's members, and the meters
 * of a member or pool that is gone go with it. A member's meters outlive a reload that keeps its pool's name and the
 * member, as its state does ({@link Pool#adopt}).
 */
final class PoolMeters {

    private final MeterRegistry registry;
    /** The pools in force by name: a pool a reload replaced changes no meter. */
    private Map<String, Pool> inForce = Map.of();
    /** By pool name, then by member name; replaced whole under the lock, read by state changes without it. */
    private final Map<String, Map<String, ServerMeters>> pools = new ConcurrentHashMap<>();

    PoolMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The pools in force from now on: meters for their members, none left for pools that are gone. */
    synchronized void inForce(List<Pool> next) {
        Map<String, Pool> byName = new HashMap<>();
        for (Pool pool : next) {
            byName.put(pool.name(), pool);
        }
        inForce = byName;
        for (String gone : List.copyOf(pools.keySet())) {
            if (!byName.containsKey(gone)) {
                pools.remove(gone).values().forEach(ServerMeters::remove);
            }
        }
        for (Pool pool : next) {
            String name = pool.name();
            pool.watch((member, reason) -> changed(name, member));
            pool.watchMembers(() -> membersNow(pool));
            membersNow(pool);
        }
    }

    /** Registers the meters of the pool's new members and removes those of the members it no longer has. */
    private synchronized void membersNow(Pool pool) {
        if (inForce.get(pool.name()) != pool) {
            return;
        }
        Map<String, ServerMeters> before = pools.getOrDefault(pool.name(), Map.of());
        Map<String, ServerMeters> now = new HashMap<>();
        for (Member member : pool.members()) {
            ServerMeters kept = before.get(member.name());
            now.put(member.name(), kept != null ? kept : new ServerMeters(pool.name(), member));
        }
        before.forEach((member, meters) -> {
            if (!now.containsKey(member)) {
                meters.remove();
            }
        });
        pools.put(pool.name(), Map.copyOf(now));
    }

    /**
     * Counts a change of a member's state. It may come through a pool a reload has just replaced, from a connection
     * it was choosing for: the state is the same, so it counts under the same name.
     */
    private void changed(String pool, Member member) {
        ServerMeters meters = pools.getOrDefault(pool, Map.of()).get(member.name());
        if (meters != null) {
            meters.stateChanges.increment();
        }
    }

    /** One member's meters. */
    private final class ServerMeters {

        private final Counter stateChanges;
        private final List<Meter> meters;

        ServerMeters(String pool, Member member) {
            Tags tags = Tags.of("pool", pool, "server", member.name());
            ServerState state = member.state();
            stateChanges = Counter.builder("streamprox.upstream.state.changes")
                    .description("Changes of whether the server takes new connections: health, cool-down, mode")
                    .tags(tags).register(registry);
            meters = List.of(stateChanges,
                    Gauge.builder("streamprox.upstream.connections.open", state, ServerState::openConnections)
                            .description("Connections open to the server now")
                            .tags(tags).strongReference(true).register(registry),
                    Gauge.builder("streamprox.upstream.available", state, server -> server.available() ? 1 : 0)
                            .description("1 while the server takes new connections: active, up, not cooling down")
                            .tags(tags).strongReference(true).register(registry),
                    FunctionCounter.builder("streamprox.upstream.connections", state, ServerState::connections)
                            .description("Connections made to the server")
                            .tags(tags).register(registry),
                    FunctionCounter.builder("streamprox.upstream.connect.failures", state, ServerState::failures)
                            .description("Connections to the server that failed before any byte was sent")
                            .tags(tags).register(registry));
        }

        void remove() {
            meters.forEach(registry::remove);
        }
    }
}
