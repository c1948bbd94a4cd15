package org.streamprox.proxy.server;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.streamprox.proxy.config.ConnectionLimits;
import org.streamprox.proxy.observe.ConnectionRecord;

/**
 * Enforces {@link ConnectionLimits}: the listener's places, and how many of them each address holds. Each
 * connection gives its place back exactly once, when it finishes, wherever it was served. A reload may change the
 * limits while connections hold places: the counts go on, only the bounds move.
 */
final class Admission {

    /**
     * A connection's place. While its head is being read, the listener may pass it on to a newer connection; once
     * the head stage is over, the connection keeps it. {@link #release()} may be called more than once but counts
     * once.
     */
    final class Slot implements ConnectionRecord.Place {

        private static final int READING_HEAD = 0;
        private static final int KEPT = 1;
        private static final int PASSED_ON = 2;

        /** Changed only by the connection's own thread, before the head stage is over; null when not counted. */
        private volatile InetAddress client;
        private volatile boolean overClientLimit;
        private final AtomicBoolean released = new AtomicBoolean();
        private final AtomicInteger stage = new AtomicInteger(READING_HEAD);

        private Slot(InetAddress client, boolean overClientLimit) {
            this.client = client;
            this.overClientLimit = overClientLimit;
        }

        @Override
        public boolean overClientLimit() {
            return overClientLimit;
        }

        @Override
        public synchronized void movedTo(InetAddress newClient) {
            if (client == null || released.get()) {
                return;
            }
            uncount(client);
            client = newClient;
            overClientLimit = count(newClient);
        }

        @Override
        public boolean keep() {
            return stage.compareAndSet(READING_HEAD, KEPT) || stage.get() == KEPT;
        }

        /**
         * Gives the place to a newly accepted connection, which takes it without waiting, unless this connection
         * kept it first. When this one ends, it then gives back only its count against its address.
         *
         * @return whether the place was passed on
         */
        boolean passOn() {
            return stage.compareAndSet(READING_HEAD, PASSED_ON);
        }

        @Override
        public synchronized void release() {
            if (released.compareAndSet(false, true)) {
                if (client != null) {
                    uncount(client);
                }
                admitted.decrementAndGet();
                if (stage.get() != PASSED_ON) {
                    places.release();
                }
            }
        }
    }

    /** Free places; fewer than none after a reload lowered the limit below the connections holding one. */
    private static final class Places extends Semaphore {

        Places(int permits) {
            super(permits);
        }

        void remove(int count) {
            reducePermits(count);
        }
    }

    private volatile ConnectionLimits limits;
    private final Places places;
    private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    private final AtomicInteger admitted = new AtomicInteger();

    Admission(ConnectionLimits limits) {
        this.limits = limits;
        this.places = new Places(limits.maxConnections());
    }

    /**
     * New limits, for connections admitted from now on. More places are free at once; fewer take effect as
     * connections end, none is cut. A client's connections admitted while it was not counted (the per-client limit
     * was 0) stay uncounted.
     */
    synchronized void limit(ConnectionLimits newLimits) {
        int added = newLimits.maxConnections() - limits.maxConnections();
        if (added > 0) {
            places.release(added);
        } else if (added < 0) {
            places.remove(-added);
        }
        limits = newLimits;
    }

    /** Takes a place if one is free now. */
    boolean tryTakePlace() {
        return places.tryAcquire();
    }

    /** Takes a place if one is free within the time. */
    boolean tryTakePlace(long waitMillis) throws InterruptedException {
        return places.tryAcquire(waitMillis, TimeUnit.MILLISECONDS);
    }

    /** Gives back a place taken by {@link #tryTakePlace()} when no connection got it. */
    void cancelPlace() {
        places.release();
    }

    /** Registers an accepted connection on the place already taken (or passed on to it). */
    Slot admit(InetAddress client) {
        admitted.incrementAndGet();
        if (limits.maxConnectionsPerClient() == 0 || client == null) {
            return new Slot(null, false);
        }
        return new Slot(client, count(client));
    }

    /** Counts a connection against its client: whether that takes the client over its limit (0: none, by now). */
    private boolean count(InetAddress client) {
        int limit = limits.maxConnectionsPerClient();
        return perClient.merge(client, 1, Integer::sum) > limit && limit > 0;
    }

    private void uncount(InetAddress client) {
        perClient.computeIfPresent(client, (address, count) -> count == 1 ? null : count - 1);
    }

    /** Connections holding a place: being read, tunnelled, or served by a local app. */
    int admitted() {
        return admitted.get();
    }
}
