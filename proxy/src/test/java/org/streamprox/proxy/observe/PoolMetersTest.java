package org.streamprox.proxy.observe;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.TestNames;

/**
 * A pool's meters follow its members when its server's name resolves to other addresses: the moved-to address gets
 * meters of its own, and the series of the address the name left go.
 */
@Timeout(60)
class PoolMetersTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final String NAME = "metered" + TestNames.SUFFIX;
    private static final List<String> FAMILIES = List.of("streamprox.upstream.connections.open",
            "streamprox.upstream.available", "streamprox.upstream.connections", "streamprox.upstream.connect.failures",
            "streamprox.upstream.state.changes");

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<LoopbackServer> servers = new ArrayList<>();

    @AfterEach
    void closeServers() throws Exception {
        for (LoopbackServer server : servers) {
            server.close();
        }
        TestNames.forget(NAME);
    }

    @Test
    void theMetersOfAServerWhoseNameMovesFollowItToItsNewAddress() throws Exception {
        LoopbackServer first = LoopbackServer.namingItself(new InetSocketAddress("127.0.0.2", 0));
        servers.add(first);
        int port = first.port();
        servers.add(LoopbackServer.namingItself(new InetSocketAddress("127.0.0.3", port)));
        TestNames.answer(NAME, "127.0.0.2");
        proxy.start(new ConfigLoader(Set.of()).load("""
                listen: 127.0.0.1:0
                upstreams:
                  web: { servers: [%s:%d], resolve-interval: %dms }
                routes:
                  - { name: site, remote: web }
                """.formatted(NAME, port, INTERVAL.toMillis()), "metered.yaml"), registry);
        String before = NAME + "/127.0.0.2:" + port;
        String after = NAME + "/127.0.0.3:" + port;
        try (Socket client = proxy.connect()) {
            assertEquals("127.0.0.2", Http.ask(client, "/"));
        }
        assertEveryFamilyMeasures(Set.of(before));
        assertEquals(1, registry.get("streamprox.upstream.connections").tag("server", before).functionCounter().count());

        TestNames.answer(NAME, "127.0.0.3");

        await("the meters moved to the new address").atMost(INTERVAL.multipliedBy(25))
                .until(this::serversMeasured, Set.of(after)::equals);
        assertEveryFamilyMeasures(Set.of(after));
        assertEquals(0, registry.get("streamprox.upstream.connections").tag("server", after).functionCounter().count());
    }

    /** The {@code server} labels of the pool's connection counters. */
    private Set<String> serversMeasured() {
        return serversMeasured("streamprox.upstream.connections");
    }

    private Set<String> serversMeasured(String family) {
        Set<String> servers = new TreeSet<>();
        for (Meter meter : registry.find(family).meters()) {
            assertEquals("web", meter.getId().getTag("pool"));
            servers.add(meter.getId().getTag("server"));
        }
        return servers;
    }

    /** Every family of pool meters measures {@code servers}, and no other. */
    private void assertEveryFamilyMeasures(Set<String> servers) {
        for (String family : FAMILIES) {
            assertEquals(servers, serversMeasured(family), family);
        }
    }
}
