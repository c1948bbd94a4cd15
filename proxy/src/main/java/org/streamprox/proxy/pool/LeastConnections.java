package org.streamprox.proxy.pool;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The usable member with the fewest open connections for its weight. The scan starts one further each time, so
 * members that tie take turns rather than the first always winning. A slow-starting member competes only with the
 * chance of its share: weighing its load by its share instead would keep it out entirely under light load (every
 * load 0 + 1) until its slow start ended, then flood it.
 */
final class LeastConnections implements Balancer {

    private final double[] weights;
    private final AtomicInteger start = new AtomicInteger();

    LeastConnections(List<Member> members) {
        weights = members.stream().mapToDouble(member -> member.server().weight()).toArray();
    }

    @Override
    public int pick(Choice choice) {
        int size = weights.length;
        int first = size == 1 ? 0 : Math.floorMod(start.getAndIncrement(), size);
        int best = -1;
        double bestLoad = Double.MAX_VALUE;
        int turnedAway = -1;
        for (int step = 0; step < size; step++) {
            int index = (first + step) % size;
            if (!choice.usable(index)) {
                continue;
            }
            if (!choice.admits(index)) {
                turnedAway = index;
                continue;
            }
            double load = load(choice, index);
            if (load < bestLoad) {
                best = index;
                bestLoad = load;
            }
        }
        // Only slow-starting members are usable: one of them rather than none.
        return best >= 0 ? best : turnedAway;
    }

    /** Open connections, plus the one to come, per unit of weight. */
    double load(Choice choice, int index) {
        return (choice.open(index) + 1) / weights[index];
    }
}
