package org.streamprox.apps.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamprox.proxy.config.ArrivalSettings;
import org.streamprox.proxy.net.AddressBlocks;
import org.streamprox.testkit.FreePorts;
import org.streamprox.testkit.Haproxy;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackClient;

/**
 * A real HAProxy in front of a listener that trusts it to send PROXY headers, with a Jetty app behind the listener:
 * the app's {@code Request.getRemoteAddr}/{@code getRemotePort} are the client's own (127.0.0.7 and its port), not
 * HAProxy's, over v1 and v2.
 */
class LocalAppBehindHaproxyTest {

    private static final String CLIENT = "127.0.0.7";

    @RegisterExtension
    final LocalProxyExtension proxy = new LocalProxyExtension();

    @TempDir
    Path directory;

    private Haproxy haproxy;

    @AfterEach
    void stopHaproxy() throws Exception {
        if (haproxy != null) {
            haproxy.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"send-proxy", "send-proxy-v2"})
    void theAppSeesTheClientBehindHaproxy(String sendProxy) throws Exception {
        ArrivalSettings trustingHaproxy = ArrivalSettings.DEFAULTS.withProxyHeadersFrom(
                AddressBlocks.parse(List.of("127.0.0.1/32")));
        InetSocketAddress streamProx = proxy.start(new JettyLocalApps().register("echo", new RequestEcho("echo")),
                Map.of("/", "echo"), settings -> settings.withArrival(trustingHaproxy)).localAddress();
        int front = FreePorts.onLoopback(1)[0];
        haproxy = Haproxy.start(directory, Haproxy.forward("front", front, streamProx,
                sendProxy + " source 127.0.0.1"));

        try (Socket client = LoopbackClient.connect(CLIENT, new InetSocketAddress("127.0.0.1", front))) {
            String response = Http.exchange(client, "GET /who HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");

            assertEquals(200, Http.status(response), response);
            assertTrue(response.contains("\nclient " + LoopbackClient.self(client) + "\n"), response);
        }
    }
}
