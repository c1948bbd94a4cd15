package org.streamprox.apps.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.apps.BuiltInApps;
import org.streamprox.proxy.tls.CertificateSource;
import org.streamprox.proxy.tls.ServerCertificates;
import org.streamprox.proxy.tls.TlsSettings;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.TestCertificates;

/**
 * Connections whose TLS the engine terminated, handed to Jetty, which goes on with the engine's TLS session: the
 * app sees a secure {@code https} request, keep-alive requests and a body follow on the same connection, and a
 * WebSocket upgrade works as {@code wss}. The client is the JDK's own HTTP client, trusting only the test's
 * certificate.
 */
class TlsHandOffTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @RegisterExtension
    final LocalProxyExtension proxy = new LocalProxyExtension();
    @RegisterExtension
    final AccessLogCapture log = new AccessLogCapture();

    @TempDir
    Path directory;

    private HttpClient client;
    private int port;

    @BeforeEach
    void start() throws Exception {
        TestCertificates.Pem certificate = TestCertificates.selfSigned(directory, "localhost");
        TlsSettings tls = new TlsSettings(Optional.of(ServerCertificates.load(List.of(
                new CertificateSource.Pem(certificate.certificate(), certificate.key())))), false, false, false,
                TlsSettings.DEFAULT_MAX_HELLO_BYTES);
        JettyLocalApps apps = new JettyLocalApps();
        BuiltInApps.registerAll(apps, BuiltInApps.Options.defaults());
        apps.register("alpha", new RequestEcho("alpha"));
        port = proxy.start(apps, Map.of("/alpha", "alpha", "/ws", BuiltInApps.WS_ECHO),
                settings -> settings.withTls(tls)).localAddress().getPort();
        client = HttpClient.newBuilder().sslContext(certificate.clientContext()).version(HttpClient.Version.HTTP_2)
                .connectTimeout(TIMEOUT).build();
    }

    @Test
    void theAppSeesASecureRequestAndKeepAliveRequestsFollowOnTheSameConnection() throws Exception {
        String body = "x".repeat(100_000);
        HttpResponse<String> first = client.send(HttpRequest.newBuilder(uri("/alpha/one")).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> second = client.send(HttpRequest.newBuilder(uri("/alpha/two")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, first.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, first.version(), "h2 is never agreed: routes are per connection");
        assertTrue(first.body().startsWith("app alpha\nPOST /alpha/one\nscheme https secure true\n"), first.body());
        assertTrue(first.body().endsWith("\n\n" + body), "the body arrived whole");
        assertTrue(second.body().startsWith("app alpha\nGET /alpha/two\nscheme https secure true\n"), second.body());
    }

    @Test
    void aWebSocketUpgradesOverTheTerminatedTls() throws Exception {
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket socket = client.newWebSocketBuilder().connectTimeout(TIMEOUT)
                .buildAsync(URI.create("wss://localhost:" + port + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        echoed.complete(data.toString());
                        webSocket.request(1);  // and so on to the server's Close frame
                        return null;
                    }
                }).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        socket.sendText("over wss", true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertEquals("over wss", echoed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Its pooled connections close, so the proxy's check after the test finds none left open. */
    @AfterEach
    void closeClient() {
        client.close();
    }

    private URI uri(String path) {
        return URI.create("https://localhost:" + port + path);
    }
}
