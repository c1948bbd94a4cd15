package org.streamprox.proxy.pool;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The usable member with the fewest open connections for its weight (and its share, while it slow-starts). The
 * scan starts one further each time, so members that tie take turns rather than the first always winning.
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
        for (int step = 0; step < size; step++) {
            int index = (first + step) % size;
            if (!choice.usable(index)) {
                continue;
            }
            double load = load(choice, index);
            if (load < bestLoad) {
                best = index;
                bestLoad = load;
            }
        }
        return best;
    }

    /** Open connections, plus the one to come, per unit of the weight it takes now. */
    double load(Choice choice, int index) {
        return (choice.open(index) + 1) / (weights[index] * choice.share(index));
    }
}
