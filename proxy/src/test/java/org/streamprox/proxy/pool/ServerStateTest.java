package org.streamprox.proxy.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The order of a server's events that real traffic cannot set up on demand: a check that passed before connect
 * failures took the server out counts for nothing towards bringing it back.
 */
class ServerStateTest {

    private static final HealthCheck CHECK = new HealthCheck(HealthCheck.Kind.TCP, "/", Optional.empty(),
            HealthCheck.DEFAULT_EXPECT, Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 3);
    private static final PassiveCheck PASSIVE = new PassiveCheck(1, Duration.ofMinutes(1));

    private final ServerState state = new ServerState();
    private final Member member = new Member(new Server("127.0.0.1", 9001), new InetSocketAddress("127.0.0.1", 9001),
            state);
    private final List<String> changes = new ArrayList<>();

    private void checked(boolean passed) {
        state.checked(passed, CHECK, System.nanoTime(), (changed, reason) -> changes.add(reason), member, "connected");
    }

    @Test
    void onlyChecksPassedSinceACoolDownBeganEndIt() {
        checked(true);
        checked(true);
        checked(true);
        state.connectFailed(PASSIVE, System.nanoTime(), (changed, reason) -> changes.add(reason), member, "refused");
        assertTrue(state.coolingDown());

        checked(true);
        assertTrue(state.coolingDown());
        checked(true);

        assertFalse(state.coolingDown());
        assertEquals(List.of("out for 60000 ms after a connect failure: refused",
                "back before the end of its cool-down: 2 checks passed in a row; the last: connected"), changes);
    }
}
