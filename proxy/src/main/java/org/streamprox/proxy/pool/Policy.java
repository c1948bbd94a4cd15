package org.streamprox.proxy.pool;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How a pool chooses the server for a new connection, by the name the configuration gives it. */
public enum Policy {

    /** Each server in turn, as often as its weight says, interleaved (nginx's smooth weighted round-robin). */
    ROUND_ROBIN("round-robin"),
    /** The server with the fewest open connections for its weight. */
    LEAST_CONNECTIONS("least-connections"),
    /** The less loaded of two servers drawn at random: nearly least-connections, without scanning every server. */
    POWER_OF_TWO("power-of-two"),
    /**
     * The server the client's address hashes to on a ring, so a client keeps its server (sticky) and adding or
     * removing a server moves only that server's share of the clients.
     */
    CLIENT_HASH("client-hash");

    private final String configName;

    Policy(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** @throws IllegalArgumentException naming the policies there are */
    public static Policy named(String name) {
        return Arrays.stream(values()).filter(policy -> policy.configName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown policy '" + name + "': "
                        + Arrays.stream(values()).map(Policy::configName).collect(Collectors.joining(", "))));
    }

    /** Chooses among {@code members}, which stay as they are for as long as the balancer is used. */
    Balancer balancer(java.util.List<Member> members) {
        return switch (this) {
            case ROUND_ROBIN -> new RoundRobin(members);
            case LEAST_CONNECTIONS -> new LeastConnections(members);
            case POWER_OF_TWO -> new PowerOfTwoChoices(members);
            case CLIENT_HASH -> new ClientHash(members);
        };
    }
}
