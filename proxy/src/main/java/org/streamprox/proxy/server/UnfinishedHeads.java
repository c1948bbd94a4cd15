package org.streamprox.proxy.server;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.transport.Transport;

/**
 * The connections still reading their head, oldest first. They have cost the listener nothing worth protecting yet,
 * so when every place is taken the oldest gives its place to a new connection: one address opening thousands of
 * connections that never finish a head cannot keep everyone else waiting (nginx reuses its idle connections in the
 * same way). Whether a connection keeps its place or lets it go is decided by its place alone ({@link
 * Admission.Slot#keep()} against {@link Admission.Slot#passOn()}), so a head reader never waits for this book's lock
 * to know.
 */
final class UnfinishedHeads {

    private record Reading(Transport client, Admission.Slot place) {
    }

    /** How far past the oldest to look for one without bytes waiting, before giving up for this time. */
    private static final int MAX_CANDIDATES = 64;

    private final Map<ConnectionRecord, Reading> reading = new LinkedHashMap<>();

    synchronized void add(ConnectionRecord connection, Transport client, Admission.Slot place) {
        reading.put(connection, new Reading(client, place));
    }

    /** Takes a connection off the book when its head stage is over or it ends. */
    synchronized void remove(ConnectionRecord connection) {
        reading.remove(connection);
    }

    /**
     * Lets the oldest idle one go: takes it off the book, passes its place on to a new connection, and stops its
     * reads, so its own thread answers and ends it. A connection with bytes waiting is skipped: its thread has not
     * yet had its turn (under a flood the scheduler runs behind), so it is not the one keeping everyone waiting.
     *
     * @return whether one was let go, so that its place is now the caller's
     */
    boolean letOldestIdleGo() {
        Reading oldest = null;
        synchronized (this) {
            Iterator<Reading> candidates = reading.values().iterator();
            for (int looked = 0; looked < MAX_CANDIDATES && candidates.hasNext(); looked++) {
                Reading candidate = candidates.next();
                if (!candidate.client().hasUnreadBytes() && candidate.place().passOn()) {
                    candidates.remove();
                    oldest = candidate;
                    break;
                }
            }
        }
        if (oldest == null) {
            return false;
        }
        oldest.client().shutdownInput();
        return true;
    }
}
