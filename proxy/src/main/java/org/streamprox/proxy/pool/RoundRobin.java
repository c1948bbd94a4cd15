package org.streamprox.proxy.pool;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Each member in turn, as often as its weight: a schedule of member indexes made once with nginx's smooth weighted
 * round-robin (weights 5, 1, 1 give a a b a c a a, not a a a a a b c), then walked with one shared counter, so
 * choosing takes no lock. A member that is not usable is passed over for the next in the schedule; one that
 * slow-starts is taken only with the chance of its share.
 */
final class RoundRobin implements Balancer {

    private final int[] schedule;
    private final AtomicInteger turn = new AtomicInteger();

    RoundRobin(List<Member> members) {
        int[] weights = members.stream().mapToInt(member -> member.server().weight()).toArray();
        int total = 0;
        for (int weight : weights) {
            total += weight;
        }
        schedule = new int[total];
        int[] current = new int[weights.length];
        for (int slot = 0; slot < total; slot++) {
            int best = 0;
            for (int i = 0; i < weights.length; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            schedule[slot] = best;
        }
    }

    @Override
    public int pick(Choice choice) {
        int length = schedule.length;
        // One member needs no turn: nothing shared is touched for it.
        int start = length == 1 ? 0 : Math.floorMod(turn.getAndIncrement(), length);
        int usableSeen = -1;
        for (int step = 0; step < length; step++) {
            int index = schedule[(start + step) % length];
            if (!choice.usable(index)) {
                continue;
            }
            if (choice.admits(index)) {
                return index;
            }
            if (usableSeen < 0) {
                usableSeen = index;
            }
        }
        // Only slow-starting members are usable: one of them rather than none.
        return usableSeen;
    }
}
