package org.streamprox.proxy.pool;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool's active check, running: every interval, the first time at once, each member the pool has then is checked
 * on a virtual thread of its own, so the pools' one scheduler thread only starts checks and never waits for a
 * server. A member in maintenance is not checked, and one whose last check has not ended yet is not checked again
 * meanwhile. Each outcome goes to the member's {@link ServerState}, which counts them in a row.
 */
final class HealthChecker {

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final Pool pool;
    private final HealthCheck check;
    private final HealthProbe probe;
    /** The checks running, by member name; interrupting one ends it and closes its connection. */
    private final Map<String, Thread> running = new ConcurrentHashMap<>();
    /** Guarded by this, as starting a check is: once stopped, none starts. */
    private ScheduledFuture<?> rounds;
    private volatile boolean stopped;

    HealthChecker(Pool pool, HealthCheck check) {
        this.pool = pool;
        this.check = check;
        this.probe = new HealthProbe(check, pool.spec().tls(), pool.spec().proxyProtocol());
    }

    synchronized void start(ScheduledExecutorService scheduler) {
        if (!stopped) {
            rounds = scheduler.scheduleWithFixedDelay(this::round, 0, check.interval().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Stops the rounds and ends the checks running, their connections closed, before it returns: their outcomes
     * are not counted, so a pool that takes over the same servers' states counts its own checks only.
     */
    void stop() {
        List<Thread> ending;
        synchronized (this) {
            stopped = true;
            if (rounds != null) {
                rounds.cancel(false);
            }
            ending = List.copyOf(running.values());
        }
        for (Thread thread : ending) {
            thread.interrupt();
        }
        try {
            for (Thread thread : ending) {
                // Interrupted, a check's connection is closed at once; its timeout bounds it anyway.
                thread.join(check.timeout().plus(Duration.ofSeconds(1)));
            }
        } catch (InterruptedException e) {
            // Whoever stops us is told to stop too: the checks are interrupted already, and count for nothing.
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void round() {
        if (stopped) {
            return;
        }
        try {
            for (Member member : pool.members()) {
                if (member.state().mode() != ServerState.Mode.MAINTENANCE && !running.containsKey(member.name())) {
                    Thread thread = Thread.ofVirtual().name("streamprox-check " + pool.name() + " " + member.name())
                            .unstarted(() -> checkOnce(member));
                    running.put(member.name(), thread);
                    thread.start();
                }
            }
        } catch (RuntimeException e) {
            // A task that throws is never run again: the next round may do better.
            LOG.warn("pool {}: starting its health checks failed", pool.name(), e);
        }
    }

    private void checkOnce(Member member) {
        try {
            HealthProbe.Verdict verdict;
            try {
                verdict = probe.check(member);
            } catch (RuntimeException e) {
                verdict = new HealthProbe.Verdict(false, e.toString());
            }
            if (!stopped) {
                member.state().checked(verdict.passed(), check, System.nanoTime(), pool.changes(), member,
                        verdict.detail());
            }
        } finally {
            running.remove(member.name(), Thread.currentThread());
        }
    }
}
