package org.streamprox.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.apps.host.JettyLocalApps;
import org.streamprox.apps.host.LocalProxyExtension;
import org.streamprox.proxy.server.StreamProx;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.HttpResponse;
import org.streamprox.testkit.RawHttpClient;

/** The built-in apps' plain HTTP answers, through the proxy port. */
class BuiltInAppsTest {

    @RegisterExtension
    final LocalProxyExtension proxy = new LocalProxyExtension();

    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    private StreamProx server;

    @BeforeEach
    void start() throws Exception {
        server = AllBuiltInApps.start(proxy);
    }

    private HttpResponse get(String path, String... extraHeaders) throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.localAddress())) {
            client.send("GET " + path + " HTTP/1.1\r\nHost: test\r\n" + String.join("", extraHeaders) + "\r\n");
            return client.readResponse();
        }
    }

    private static String basic(String user, String password) {
        String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return "Authorization: Basic " + token + "\r\n";
    }

    @Test
    void theNamesListedForHelpAreTheAppsRegistered() {
        JettyLocalApps apps = new JettyLocalApps();
        BuiltInApps.registerAll(apps, BuiltInApps.Options.defaults());
        assertEquals(BuiltInApps.NAMES, List.copyOf(apps.names()));
    }

    @Test
    void fooAsksForBasicCredentialsInTheStreamProxRealm() throws Exception {
        HttpResponse response = get("/foo");
        assertEquals(401, response.status());
        assertTrue(response.header("WWW-Authenticate").startsWith("Basic realm=\"StreamProx\""),
                response.header("WWW-Authenticate"));
    }

    @Test
    void fooAnswersTom() throws Exception {
        HttpResponse response = get("/foo", basic("tom", "tom"));
        assertEquals(200, response.status());
        assertEquals("FOO!", response.text());
    }

    @Test
    void fooRejectsAWrongPassword() throws Exception {
        assertEquals(401, get("/foo", basic("tom", "jerry")).status());
    }

    /** The access log tells a refused request from a served one: each line has the first response's status. */
    @Test
    void theAccessLogHasEachConnectionsFirstStatus() throws Exception {
        get("/foo");
        get("/foo", basic("tom", "tom"));
        try (RawHttpClient client = new RawHttpClient(server.localAddress())) {
            client.send("GET /websocketdemo HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
            assertEquals(101, Http.status(client.readHead()));
        }
        proxy.awaitQuiet();
        List<String> statuses = accessLog.lines().stream()
                .map(line -> line.replaceAll(".* (GET /\\S+) .* (status=\\S+) .*", "$1 $2")).sorted().toList();
        assertEquals(List.of("GET /foo status=200", "GET /foo status=401", "GET /websocketdemo status=101"), statuses);
    }

    @Test
    void theMjpegStreamDeclinesCompressionSoEachFrameIsEncodedOnceForAll() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.localAddress())) {
            client.send("GET /websocketdemo HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n");
            String head = client.readHead();
            assertEquals(101, Http.status(head), head);
            assertFalse(head.toLowerCase(Locale.ROOT).contains("sec-websocket-extensions"), head);
        }
    }

    @Test
    void barAnswersAnyone() throws Exception {
        HttpResponse response = get("/bar");
        assertEquals(200, response.status());
        assertEquals("BAR!", response.text());
    }

    @Test
    void mjpegPageOpensItsStreamOnItsOwnHostAndPort() throws Exception {
        HttpResponse response = get("/demo");
        assertEquals(200, response.status());
        assertTrue(response.header("Content-Type").startsWith("text/html"));
        assertTrue(response.text().contains("location.host + \"/websocketdemo\""));
    }

    @Test
    void echoPageTalksToItsOwnOrigin() throws Exception {
        HttpResponse response = get("/echo");
        assertEquals(200, response.status());
        assertTrue(response.text().contains("location.host + \"/\""));
        assertTrue(response.text().contains("WebSocket rocks"));
    }

    @Test
    void indexLinksEveryDemoAndSaysWhereItRuns() throws Exception {
        String index = get("/index").text();
        for (String link : new String[] {"/foo", "/bar", "/demo", "/echo", "/google"}) {
            assertTrue(index.contains("<a href=\"" + link + "\">"), link);
        }
        assertTrue(index.contains("remote <code>www.google.com:80</code>"));
    }

    @Test
    void wsEchoExplainsItselfToPlainHttp() throws Exception {
        assertEquals(426, get("/").status());
    }
}
