package org.streamprox.proxy.pool;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The usable member with the fewest open connections for its weight. Members that tie (every one, under light load)
 * are chosen with a chance in proportion to their weights, as nginx's least_conn falls back to weighted
 * round-robin: weights then still count, and no member always wins a tie. A slow-starting member competes only
 * with the chance of its share: weighing its load by its share instead would keep it out entirely under light load
 * until its slow start ended, then flood it.
 */
final class LeastConnections implements Balancer {

    private final double[] weights;

    LeastConnections(List<Member> members) {
        weights = members.stream().mapToDouble(member -> member.server().weight()).toArray();
    }

    @Override
    public int pick(Choice choice) {
        int best = -1;
        double bestLoad = Double.MAX_VALUE;
        double tiedWeight = 0;
        int turnedAway = -1;
        for (int index = 0; index < weights.length; index++) {
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
                tiedWeight = weights[index];
            } else if (load == bestLoad) {
                // Weighted reservoir sampling: each tied member ends up chosen with its weight's part of the ties'.
                tiedWeight += weights[index];
                if (ThreadLocalRandom.current().nextDouble() * tiedWeight < weights[index]) {
                    best = index;
                }
            }
        }
        // Only slow-starting members are usable: one of them rather than none.
        return best >= 0 ? best : turnedAway;
    }

    /** Open connections per unit of weight. */
    double load(Choice choice, int index) {
        return choice.open(index) / weights[index];
    }
}
