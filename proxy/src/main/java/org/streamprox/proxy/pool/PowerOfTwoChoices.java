package org.streamprox.proxy.pool;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two members drawn at random, and the less loaded of them for its weight taken: close to least-connections
 * without looking at every member, and without every proxy of a fleet herding onto the same least-loaded one.
 * When a draw finds neither usable (members down, or tried, or a slow-starting member not let in), every member is
 * looked at.
 */
final class PowerOfTwoChoices implements Balancer {

    private final LeastConnections fallback;
    private final int size;

    PowerOfTwoChoices(List<Member> members) {
        fallback = new LeastConnections(members);
        size = members.size();
    }

    @Override
    public int pick(Choice choice) {
        if (size == 1) {
            return choice.usable(0) ? 0 : -1;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(size);
        int b = random.nextInt(size - 1);
        if (b >= a) {
            b++;
        }
        boolean aUsable = choice.usable(a) && choice.admits(a);
        boolean bUsable = choice.usable(b) && choice.admits(b);
        if (aUsable && bUsable) {
            return fallback.load(choice, a) <= fallback.load(choice, b) ? a : b;
        }
        if (aUsable || bUsable) {
            return aUsable ? a : b;
        }
        return fallback.pick(choice);
    }
}
