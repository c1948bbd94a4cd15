package org.streamprox.proxy.proxyprotocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.FreePorts;
import org.streamprox.testkit.Haproxy;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackClient;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;

/**
 * A real HAProxy in front of a StreamProx listener that trusts 127.0.0.1 to send PROXY headers, with clients on
 * their own loopback addresses (127.0.0.7, 127.0.0.8): the client HAProxy names is the connection's client in the
 * access log (HAProxy as {@code via=}) and for the per-client limit, over v1 and v2; a sender not trusted, and a
 * trusted one that sends no header, are closed with the reason in the log and reach no upstream.
 */
class HaproxyInFrontTest {

    private static final String CLIENT = "127.0.0.7";
    private static final String OTHER_CLIENT = "127.0.0.8";
    private static final String HAPROXY_ADDRESS = "127.0.0.1";
    /** An address outside the listener's trusted block, for HAProxy to connect from. */
    private static final String UNTRUSTED_ADDRESS = "127.0.0.9";

    /** HAProxy's frontends, each forwarding to StreamProx its own way. */
    enum Front {
        V1("send-proxy source " + HAPROXY_ADDRESS),
        V2("send-proxy-v2 source " + HAPROXY_ADDRESS),
        UNTRUSTED_V1("send-proxy source " + UNTRUSTED_ADDRESS),
        UNTRUSTED_V2("send-proxy-v2 source " + UNTRUSTED_ADDRESS),
        NO_HEADER("source " + HAPROXY_ADDRESS);

        final String serverOptions;

        Front(String serverOptions) {
            this.serverOptions = serverOptions;
        }
    }

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();
    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    @TempDir
    Path directory;

    /** Lets the upstream answer the requests it holds. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch heldRequestArrived = new CountDownLatch(1);
    private LoopbackServer upstream;
    private Haproxy haproxy;
    private final Map<Front, InetSocketAddress> fronts = new EnumMap<>(Front.class);

    @BeforeEach
    void start() throws Exception {
        upstream = LoopbackServer.start(this::answer);
        int streamProx = proxy.start(new ConfigLoader(new LinkedHashSet<>()).load("""
                accept-proxy-protocol: { trusted: [%s/32] }
                max-connections-per-client: 1
                routes:
                  - { name: upstream, remote: 127.0.0.1:%d }
                """.formatted(HAPROXY_ADDRESS, upstream.port()), "haproxy-in-front.yaml"))
                .localAddress().getPort();
        InetSocketAddress streamProxAddress = new InetSocketAddress(HAPROXY_ADDRESS, streamProx);
        int[] ports = FreePorts.onLoopback(Front.values().length);
        StringBuilder sections = new StringBuilder();
        for (Front front : Front.values()) {
            int port = ports[front.ordinal()];
            fronts.put(front, new InetSocketAddress("127.0.0.1", port));
            sections.append(Haproxy.forward(front.name().toLowerCase(Locale.ROOT), port, streamProxAddress,
                    front.serverOptions));
        }
        haproxy = Haproxy.start(directory, sections.toString());
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        if (haproxy != null) {
            haproxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /** Answers {@code hello PATH}; a request for {@code /held} only once the test releases it. */
    private void answer(Socket socket) throws Exception {
        String path = Http.target(Http.readHead(socket.getInputStream()));
        if (path.equals("/held")) {
            heldRequestArrived.countDown();
            release.await();
        }
        String body = "hello " + path;
        OutputStream out = socket.getOutputStream();
        out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
                + body));
        out.flush();
    }

    private Socket connect(String client, Front front) throws Exception {
        return LoopbackClient.connect(client, fronts.get(front));
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: test.local\r\nConnection: close\r\n\r\n";
    }

    /** The access-log line of the request for the path, without its {@code #ID}. */
    private String logLineOf(String path) {
        return accessLog.awaitLineContaining(" GET " + path + " ").replaceFirst("^#\\d+ ", "");
    }

    @ParameterizedTest
    @EnumSource(names = {"V1", "V2"})
    void theAccessLogNamesTheClientBehindHaproxyAndHaproxyAsVia(Front front) throws Exception {
        String self;
        try (Socket client = connect(CLIENT, front)) {
            self = LoopbackClient.self(client);
            String response = Http.exchange(client, get("/who"));

            assertTrue(response.endsWith("hello /who"), response);
        }
        // The line comes when the connection ends, once the client has closed its side too.
        String line = logLineOf("/who");
        assertTrue(line.startsWith(self + " via=" + HAPROXY_ADDRESS + ":"), line);
        assertTrue(line.contains(" GET /who upstream remote 127.0.0.1:" + upstream.port() + " status=200 "), line);
    }

    /**
     * With one connection per client, a second from 127.0.0.7 is refused while one from 127.0.0.8 is served: all
     * three come from HAProxy's address, and counted as HAProxy's the third would be refused too.
     */
    @Test
    void thePerClientLimitCountsTheClientsBehindHaproxyNotHaproxy() throws Exception {
        try (Socket held = connect(CLIENT, Front.V2)) {
            held.getOutputStream().write(ascii(get("/held")));
            assertTrue(heldRequestArrived.await(20, TimeUnit.SECONDS), "the held request did not reach the upstream");

            String secondClient;
            try (Socket second = connect(CLIENT, Front.V2)) {
                secondClient = LoopbackClient.self(second);
                String refused = Http.exchange(second, get("/second"));
                assertEquals(429, Http.status(refused), refused);
            }
            String line = logLineOf("/second");
            assertTrue(line.startsWith(secondClient + " via=" + HAPROXY_ADDRESS + ":"), line);
            assertTrue(line.endsWith(" 429 more than 1 connections from this address"), line);
            try (Socket other = connect(OTHER_CLIENT, Front.V2)) {
                String served = Http.exchange(other, get("/other"));
                assertTrue(served.endsWith("hello /other"), served);
            }

            release.countDown();
            String heldResponse = Http.readAll(held);
            assertTrue(heldResponse.endsWith("hello /held"), heldResponse);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"UNTRUSTED_V1", "UNTRUSTED_V2"})
    void aHeaderFromAProxyNotTrustedIsRefusedWithTheReasonLogged(Front front) throws Exception {
        try (Socket client = connect(CLIENT, front)) {
            client.getOutputStream().write(ascii(get("/untrusted")));

            assertEquals(0, Http.countUntilTheEnd(client.getInputStream()), "bytes came back");
        }
        String line = accessLog.awaitLineContaining(" which is not a trusted proxy");
        assertTrue(line.matches("#\\d+ " + Pattern.quote(UNTRUSTED_ADDRESS) + ":\\d+ - - - - status=- in=[1-9]\\d* .*"),
                "HAProxy is the client, and the header it sent is counted: " + line);
        assertTrue(line.endsWith(" closed: PROXY header from " + UNTRUSTED_ADDRESS
                + ", which is not a trusted proxy (accept-proxy-protocol)"), line);
        assertEquals(0, upstream.acceptedConnections());
    }

    @Test
    void aTrustedProxyThatSendsNoHeaderIsClosedWithTheReasonLogged() throws Exception {
        try (Socket client = connect(CLIENT, Front.NO_HEADER)) {
            client.getOutputStream().write(ascii(get("/no-header")));

            assertEquals(0, Http.countUntilTheEnd(client.getInputStream()), "bytes came back");
        }
        String line = accessLog.awaitLineContaining(" closed: not a PROXY header");
        assertTrue(line.matches("#\\d+ " + Pattern.quote(HAPROXY_ADDRESS) + ":\\d+ - - - - .*"), line);
        assertTrue(line.endsWith(" closed: not a PROXY header: it starts \"G\""), line);
        assertEquals(0, upstream.acceptedConnections());
    }
}
