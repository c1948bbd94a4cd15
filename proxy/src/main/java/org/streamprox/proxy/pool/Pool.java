package org.streamprox.proxy.pool;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool running: its servers' addresses, each one's state, and the choice of a server for each new connection.
 * Routes that name the pool share this one object. Until {@link #start} it resolves its names when the first
 * connection needs them; once started, again every resolve interval, and its active check runs.
 *
 * <p>Equal to another pool with the same {@link PoolSpec}, whatever its name and state: a route's target is its
 * configuration.
 */
public final class Pool {

    private static final Logger LOG = LoggerFactory.getLogger(Pool.class);

    private final String name;
    private final PoolSpec spec;
    private final Lookups lookups;
    private final List<StateChanges> watchers = new CopyOnWriteArrayList<>();
    private final List<Runnable> memberWatchers = new CopyOnWriteArrayList<>();
    private final StateChanges changes = this::changed;
    private volatile Roster roster;
    /** The members of the pool this one took over from, for names that do not resolve when it starts. */
    private volatile List<Member> adopted = List.of();
    private final List<ScheduledFuture<?>> tasks = new CopyOnWriteArrayList<>();
    /** Its active check once started; null without one. */
    private volatile HealthChecker checker;
    private volatile boolean started;

    /** @param name what logs, metrics and the status page call it: the {@code upstreams:} name, or the route's */
    public Pool(String name, PoolSpec spec) {
        this.name = Objects.requireNonNull(name, "name");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.lookups = new Lookups(name, spec);
    }

    public String name() {
        return name;
    }

    public PoolSpec spec() {
        return spec;
    }

    /** The servers a new connection from {@code client} tries, in order. */
    public Tries tries(InetAddress client) {
        Roster now = roster();
        return new Tries(this, now, client, spec.retries().tries().orElse(now.size()));
    }

    /** Its members now, primaries first, for the status page and the admin listener. */
    public List<Member> members() {
        return roster().members();
    }

    /** The host names without an address now. */
    public List<String> unresolved() {
        return roster().unresolved();
    }

    /** A connection to the member is open: counted until {@link #released}. */
    public void connected(Member member) {
        member.state().opened();
    }

    public void released(Member member) {
        member.state().closed();
    }

    /** Connecting to the member failed before any byte went to it. */
    public void connectFailed(Member member, String reason) {
        member.state().connectFailed(spec.passive(), System.nanoTime(), changes, member, reason);
    }

    /**
     * Sets the operator's mode of every member whose name, or whose server's {@code host:port}, is
     * {@code server}.
     *
     * @return whether there was one
     */
    public boolean mode(String server, ServerState.Mode mode) {
        boolean found = false;
        long now = System.nanoTime();
        for (Member member : members()) {
            if (member.name().equals(server) || member.server().toString().equals(server)) {
                member.state().mode(mode, now, changes, member);
                found = true;
            }
        }
        return found;
    }

    /** Also tells {@code watcher} of every change of a member's state, after it is logged. */
    public void watch(StateChanges watcher) {
        watchers.add(watcher);
    }

    /** Also tells {@code watcher} whenever its members change once started: a name resolved to other addresses. */
    public void watchMembers(Runnable watcher) {
        memberWatchers.add(watcher);
    }

    StateChanges changes() {
        return changes;
    }

    private void changed(Member member, String reason) {
        LOG.warn("pool {}: server {} {}", name, member.name(), reason);
        for (StateChanges watcher : watchers) {
            watcher.changed(member, reason);
        }
    }

    /**
     * Takes over what {@code previous}, the pool of the same name before a reload, knows of its servers: open
     * connections, failures, health and the operator's modes of the addresses both have.
     */
    public void adopt(Pool previous) {
        lookups.adopt(previous.lookups);
        Roster before = previous.roster;
        adopted = before == null ? List.of() : before.members();
        roster = null;
    }

    /**
     * Resolves its names now, then again every resolve interval on {@code scheduler}, and runs its active check
     * there, until {@link #stop}.
     */
    public synchronized void start(ScheduledExecutorService scheduler) {
        started = true;
        roster = resolve(roster);
        if (lookups.hasNames()) {
            long every = spec.resolution().interval().toMillis();
            tasks.add(scheduler.scheduleWithFixedDelay(this::resolveAgain, every, every, TimeUnit.MILLISECONDS));
        }
        if (spec.healthCheck().isPresent()) {
            checker = new HealthChecker(this, spec.healthCheck().get());
            checker.start(scheduler);
        } else {
            // Taken over from a pool whose check a reload removed: nothing would ever bring a server back up.
            long now = System.nanoTime();
            for (Member member : roster.members()) {
                member.state().health(ServerState.Health.UP, now, changes, member, "the pool has no active check now");
            }
        }
    }

    /**
     * Stops resolving and checking, the checks running ended before it returns; connections go on choosing among
     * the members it had.
     */
    public void stop() {
        tasks.forEach(task -> task.cancel(false));
        tasks.clear();
        HealthChecker running = checker;
        if (running != null) {
            running.stop();
        }
    }

    private void resolveAgain() {
        try {
            Roster before = roster;
            Roster after = resolve(before);
            if (before != null && before.members().equals(after.members())
                    && before.unresolved().equals(after.unresolved())) {
                // The same members: the balancer goes on where it was (a new round-robin would start at the first).
                return;
            }
            roster = after;
            if (before != null) {
                LOG.info("pool {}: members now {} (were {})", name, after.members(), before.members());
                memberWatchers.forEach(Runnable::run);
            }
        } catch (RuntimeException e) {
            LOG.warn("pool {}: resolving its servers failed; keeping its members", name, e);
        }
    }

    /**
     * Every server's addresses now; a name that does not resolve keeps the members it had in {@code previous} (or,
     * before the first lookup, in the pool this one took over from).
     */
    private Roster resolve(Roster previous) {
        return lookups.members(previous == null ? adopted : previous.members());
    }

    private Roster roster() {
        Roster now = roster;
        if (now != null && (started || now.size() > 0)) {
            return now;
        }
        synchronized (this) {
            // Not started: resolved on first use, and again while it has nothing, as each connection once did.
            if (roster == null || (!started && roster.size() == 0)) {
                roster = resolve(roster);
            }
            return roster;
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Pool pool && pool.spec.equals(spec);
    }

    @Override
    public int hashCode() {
        return spec.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
