package org.streamprox.proxy.pool;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses one of a fixed list of members for a new connection: a policy's algorithm, with its own state (a turn,
 * a ring) and nothing of the members' availability, which {@link Choice} answers.
 */
interface Balancer {

    /** @return the index of the chosen member, or -1 when {@code choice} finds none usable */
    int pick(Choice choice);

    /** What a balancer may ask while choosing, for the members it was made with. */
    interface Choice {

        /** Whether the member takes this connection: available, and not tried already for it. */
        boolean usable(int index);

        /** The part of its weight it takes now: below 1 while it slow-starts. */
        double share(int index);

        /**
         * Whether a usable member is let in for this connection: always at its full share, else with the chance of
         * its share, so that a slow-starting member's part grows with its share whatever the policy and the load.
         */
        default boolean admits(int index) {
            double share = share(index);
            return share >= 1 || ThreadLocalRandom.current().nextDouble() < share;
        }

        /** Its open connections, as least-loaded policies weigh them. */
        int open(int index);

        /** What a client-address hash hashes: the client's address bytes. */
        byte[] client();
    }
}
