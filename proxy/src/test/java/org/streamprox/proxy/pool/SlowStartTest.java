package org.streamprox.proxy.pool;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamprox.proxy.pool.ServerState.Health;
import org.streamprox.testkit.ProxyExtension;

/**
 * A server back from down takes a growing share of new connections over the slow-start time, not half of them at
 * once: counted in successive windows of a steady stream of connections.
 */
@Timeout(60)
class SlowStartTest {

    private static final Duration SLOW_START = Duration.ofSeconds(3);
    private static final Duration WINDOW = Duration.ofSeconds(1);

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

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

    /** Connections a took, and all of them, in one window. */
    private record Window(int toA, int all) {

        double share() {
            return (double) toA / all;
        }

        @Override
        public String toString() {
            return toA + " of " + all;
        }
    }

    /** Light load: one connection at a time, so every least-loaded policy sees loads that tie. */
    @ParameterizedTest
    @ValueSource(strings = {"round-robin", "least-connections", "power-of-two"})
    void aServerBackFromDownTakesAGrowingShare(String policy) throws Exception {
        NamedUpstream a = upstream("a");
        NamedUpstream b = upstream("b");
        WebPool web = WebPool.start(proxy, "servers: [" + a.address() + ", " + b.address() + "]", "slow-start: 3s",
                "policy: " + policy,
                "health-check: {type: http, path: /healthz, interval: 100ms, rise: 1, fall: 1}");
        AtomicLong upAt = new AtomicLong();
        web.pool().watch((member, reason) -> {
            if (reason.startsWith("up: ")) {
                upAt.set(System.nanoTime());
            }
        });
        a.answerChecksWith(503);
        await().atMost(Duration.ofSeconds(3)).until(() -> web.state(a).health() == Health.DOWN);

        a.answerChecksWith(200);
        await().atMost(Duration.ofSeconds(3)).until(() -> upAt.get() != 0);
        // Windows from a's return: three in the slow start, one after it.
        int[] toA = new int[4];
        int[] all = new int[4];
        for (long since = 0; since < SLOW_START.plus(WINDOW).toNanos(); since = System.nanoTime() - upAt.get()) {
            String answer = web.answer();
            int window = (int) ((System.nanoTime() - upAt.get()) / WINDOW.toNanos());
            if (window < toA.length) {
                all[window]++;
                toA[window] += answer.equals("a") ? 1 : 0;
            }
        }

        List<Window> windows = new ArrayList<>();
        for (int i = 0; i < toA.length; i++) {
            windows.add(new Window(toA[i], all[i]));
        }
        // Over two servers, a takes half its turns' share (ties taking turns in the least-loaded policies), 5 % growing to 100 % in 3 s; so about 8 % of the
        // first second's connections, 25 % of the second's, 42 % of the third's, then half. At once it would be half.
        assertTrue(windows.stream().allMatch(window -> window.all() >= 20), "too few connections to tell: " + windows);
        assertTrue(windows.get(0).share() < 0.25, "a flood in the first second: " + windows);
        assertTrue(windows.get(0).share() < windows.get(2).share(), "no growth: " + windows);
        assertTrue(windows.get(3).share() > 0.35 && windows.get(3).share() < 0.65, "not its full share: " + windows);
    }
}
