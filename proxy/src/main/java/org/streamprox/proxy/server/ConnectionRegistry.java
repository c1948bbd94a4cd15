package org.streamprox.proxy.server;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Outcome;

/**
 * The connections a listener is serving on its own threads (not those handed to local apps), so shutdown can
 * wait for them to finish and cut what is left.
 */
final class ConnectionRegistry {

    private final Set<ConnectionRecord> open = new HashSet<>();

    synchronized void add(ConnectionRecord connection) {
        open.add(connection);
    }

    synchronized void remove(ConnectionRecord connection) {
        open.remove(connection);
        if (open.isEmpty()) {
            notifyAll();
        }
    }

    synchronized int size() {
        return open.size();
    }

    /** The connections open now, for people to look at. */
    synchronized List<ConnectionRecord> snapshot() {
        return List.copyOf(open);
    }

    /** Waits until no connection is open or the timeout passes; returns whether none is open. */
    synchronized boolean awaitEmpty(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long remaining;
        while (!open.isEmpty() && (remaining = deadline - System.nanoTime()) > 0) {
            wait(Math.max(1, remaining / 1_000_000L));
        }
        return open.isEmpty();
    }

    /** Cuts every open connection. */
    void abortAll(Outcome why) {
        snapshot().forEach(connection -> connection.abort(why));
    }
}
