package org.streamprox.proxy.pool;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a pool knows about one server address now: whether it takes new connections, and its counts. It outlives
 * a reload and a new resolution of its name, so open connections are counted where they were opened.
 *
 * <p>Three things decide whether a server is available: its health (the active check's verdict), a passive
 * cool-down after connect failures in a row, and the operator's mode (draining, maintenance). Each change is
 * reported once to the pool's {@link StateChanges}.
 */
public final class ServerState {

    /** What the checks say. */
    public enum Health { UP, DOWN }

    /** What the operator says; only {@code ACTIVE} takes new connections. */
    public enum Mode {
        ACTIVE,
        /** No new connections; open ones finish; checks go on. */
        DRAINING,
        /** No new connections; open ones finish; no checks either, so a server may be worked on. */
        MAINTENANCE
    }

    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder connections = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicInteger failuresInARow = new AtomicInteger();
    /** The active check's last outcomes alike: so many passes in a row when positive, failures when negative. */
    private final AtomicInteger checksInARow = new AtomicInteger();
    /** {@link System#nanoTime()} until which the passive check keeps it out; 0 for not cooling down. */
    private final AtomicLong coolingUntil = new AtomicLong();
    private volatile Health health = Health.UP;
    private volatile Mode mode = Mode.ACTIVE;
    /** When it last became available after being out, for slow start; 0 for long enough ago. */
    private volatile long backSince;

    /** Whether it takes a new connection now; reports the end of a cool-down the first time it is noticed. */
    boolean available(long now, StateChanges changes, Member member) {
        if (mode != Mode.ACTIVE || health != Health.UP) {
            return false;
        }
        long until = coolingUntil.get();
        if (until == 0) {
            return true;
        }
        if (now - until < 0) {
            return false;
        }
        if (coolingUntil.compareAndSet(until, 0)) {
            backSince = now;
            changes.changed(member, "back after its cool-down");
        }
        return true;
    }

    /** Up and active: available but for a cool-down, which a connection with nowhere else to go ignores. */
    boolean upAndActive() {
        return mode == Mode.ACTIVE && health == Health.UP;
    }

    /**
     * The share of its weight it takes now: growing from near nothing to all of it over {@code slowStartNanos}
     * after coming back, so a server that was down is not flooded at once.
     */
    double share(long now, long slowStartNanos) {
        long since = backSince;
        if (since == 0 || slowStartNanos == 0) {
            return 1;
        }
        long elapsed = now - since;
        if (elapsed >= slowStartNanos) {
            backSince = 0;
            return 1;
        }
        return Math.max(0.05, (double) elapsed / slowStartNanos);
    }

    void opened() {
        open.incrementAndGet();
        connections.increment();
        failuresInARow.set(0);
    }

    void closed() {
        open.decrementAndGet();
    }

    /** A connect failure: after {@code passive.maxFailures()} in a row, out for the cool-down. */
    void connectFailed(PassiveCheck passive, long now, StateChanges changes, Member member, String reason) {
        failures.increment();
        if (passive.on() && failuresInARow.incrementAndGet() >= passive.maxFailures()) {
            // Counted afresh after the cool-down: as many failures again take it out again.
            failuresInARow.set(0);
            coolingUntil.set(now + passive.coolDown().toNanos() | 1);
            // Passes before it count for nothing: a check ends the cool-down only once it has seen the server since.
            checksInARow.updateAndGet(streak -> Math.min(streak, 0));
            changes.changed(member, "out for " + passive.coolDown().toMillis() + " ms after "
                    + (passive.maxFailures() == 1 ? "a connect failure: " : passive.maxFailures()
                            + " connect failures in a row; the last: ") + reason);
        }
    }

    /**
     * One active check's outcome: {@code fall} failures in a row take the server down; {@code rise} passes in a row
     * bring it back up, or end a passive cool-down that began before them.
     *
     * @param detail what the check saw: its status, or why it failed
     */
    void checked(boolean passed, HealthCheck check, long at, StateChanges changes, Member member, String detail) {
        int inARow = Math.abs(checksInARow.updateAndGet(streak -> passed ? passedAfter(streak) : failedAfter(streak)));
        if (!passed && inARow >= check.fall()) {
            health(Health.DOWN, at, changes, member, inARow(check.fall(), "failed") + "; the last: " + detail);
        } else if (passed && inARow >= check.rise()) {
            String reason = inARow(check.rise(), "passed") + "; the last: " + detail;
            long until = coolingUntil.get();
            if (health == Health.DOWN) {
                health(Health.UP, at, changes, member, reason);
            } else if (until != 0 && at - until < 0 && coolingUntil.compareAndSet(until, 0)) {
                backSince = at;
                changes.changed(member, "back before the end of its cool-down: " + reason);
            }
        }
    }

    private static int passedAfter(int streak) {
        return streak <= 0 ? 1 : streak == Integer.MAX_VALUE ? streak : streak + 1;
    }

    private static int failedAfter(int streak) {
        return streak >= 0 ? -1 : streak == -Integer.MAX_VALUE ? streak : streak - 1;
    }

    private static String inARow(int count, String outcome) {
        return count == 1 ? "a check " + outcome : count + " checks " + outcome + " in a row";
    }

    /** The active checks' verdict; a server back up ends any cool-down. */
    void health(Health now, long at, StateChanges changes, Member member, String reason) {
        Health before = health;
        if (before == now) {
            return;
        }
        health = now;
        if (now == Health.UP) {
            coolingUntil.set(0);
            failuresInARow.set(0);
            backSince = at;
        }
        changes.changed(member, (now == Health.UP ? "up: " : "down: ") + reason);
    }

    /** The operator's say; going back to active starts a slow start. */
    void mode(Mode now, long at, StateChanges changes, Member member) {
        Mode before = mode;
        if (before == now) {
            return;
        }
        mode = now;
        if (now == Mode.ACTIVE) {
            backSince = at;
        }
        changes.changed(member, "set " + now.name().toLowerCase(java.util.Locale.ROOT) + " by the operator");
    }

    public Health health() {
        return health;
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Whether it takes new connections now, as the operator sees it: active, up and not cooling down (though a
     * connection with nowhere else to go tries one cooling down). Only reads: the end of a cool-down is reported when
     * a new connection first finds it over.
     */
    public boolean available() {
        return upAndActive() && !coolingDown();
    }

    /** Whether the passive check keeps it out now. */
    public boolean coolingDown() {
        long until = coolingUntil.get();
        return until != 0 && System.nanoTime() - until < 0;
    }

    public int openConnections() {
        return open.get();
    }

    /** Connections it was given since it was first seen. */
    public long connections() {
        return connections.sum();
    }

    /** Connect failures since it was first seen. */
    public long failures() {
        return failures.sum();
    }
}
