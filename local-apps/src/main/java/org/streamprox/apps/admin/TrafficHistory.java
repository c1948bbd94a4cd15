package org.streamprox.apps.admin;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The last minutes of traffic, one point a second, for the status page's chart and rates: new connections,
 * bytes each way per second, and connections open. Rates are the difference between two samples of the
 * engine's counters; {@link #sample} is called once a second, by the admin server's scheduler.
 */
final class TrafficHistory {

    /** Five minutes of points. */
    static final int POINTS = 300;

    /**
     * One second of traffic.
     *
     * @param time        when it ended, milliseconds since the epoch
     * @param connections connections that finished, per second
     * @param received    bytes from clients per second
     * @param sent        bytes to clients per second
     * @param open        connections open at its end
     */
    record Point(long time, double connections, double received, double sent, int open) {
    }

    /** The counters at one moment. */
    private record Sample(long nanos, double connections, double received, double sent) {
    }

    private final EngineMeters meters;
    private final IntSupplier openConnections;
    private final Deque<Point> points = new ArrayDeque<>();
    private Sample last;

    TrafficHistory(EngineMeters meters, IntSupplier openConnections) {
        this.meters = meters;
        this.openConnections = openConnections;
    }

    /** Takes a sample and adds the point since the last one. */
    synchronized void sample() {
        Sample now = new Sample(System.nanoTime(), meters.total(EngineMeters.CONNECTIONS),
                meters.total(EngineMeters.RECEIVED), meters.total(EngineMeters.SENT));
        if (last != null) {
            double seconds = (now.nanos() - last.nanos()) / 1e9;
            points.addLast(new Point(System.currentTimeMillis(), (now.connections() - last.connections()) / seconds,
                    (now.received() - last.received()) / seconds, (now.sent() - last.sent()) / seconds,
                    openConnections.getAsInt()));
            if (points.size() > POINTS) {
                points.removeFirst();
            }
        }
        last = now;
    }

    /** The points, oldest first. */
    synchronized List<Point> points() {
        return new ArrayList<>(points);
    }
}
