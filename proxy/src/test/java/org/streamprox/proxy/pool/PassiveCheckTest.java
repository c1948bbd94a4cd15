package org.streamprox.proxy.pool;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.testkit.LogCapture;
import org.streamprox.testkit.ProxyExtension;

/**
 * A server that connect failures took out for its cool-down comes back through passed active checks, before the
 * cool-down ends (RetriesTest sees one come back once it is over).
 */
@Timeout(60)
class PassiveCheckTest {

    /** Checks and connections start late on a busy machine, never early. */
    private static final Duration LATENESS = Duration.ofSeconds(3);

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @RegisterExtension
    final LogCapture poolLog = new LogCapture(Pool.class);

    private final List<NamedUpstream> upstreams = new ArrayList<>();

    @AfterEach
    void closeUpstreams() throws Exception {
        for (NamedUpstream upstream : upstreams) {
            upstream.close();
        }
    }

    private NamedUpstream upstream(String name) throws Exception {
        NamedUpstream upstream = NamedUpstream.start(name);
        upstreams.add(upstream);
        return upstream;
    }

    @Test
    void aServerCoolingDownComesBackThroughPassedChecksBeforeItsCoolDownEnds() throws Exception {
        NamedUpstream a = upstream("a");
        NamedUpstream b = upstream("b");
        // So many failed checks would take a down that only the passive check does within the test.
        WebPool web = WebPool.start(proxy, "servers: [" + a.address() + ", " + b.address() + "]",
                "passive: {max-failures: 1, cool-down: 1m}",
                "health-check: {type: tcp, interval: 100ms, rise: 2, fall: 100}");
        a.stop();

        // a's turn comes first: refused, the connection goes on to b, and a is out.
        assertEquals(Map.of("b", 2), web.answers(2));
        assertTrue(web.state(a).coolingDown());
        poolLog.awaitLineContaining("pool web: server " + a.address() + " out for 60000 ms after a connect failure");

        a.startAgain();
        await().atMost(Duration.ofMillis(100 * 2).plus(LATENESS)).until(() -> !web.state(a).coolingDown());
        poolLog.awaitLineContaining("pool web: server " + a.address() + " back before the end of its cool-down: "
                + "2 checks passed in a row; the last: connected");
        assertEquals(Map.of("a", 2, "b", 2), web.answers(4));
    }
}
