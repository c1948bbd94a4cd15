package org.streamprox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.Command;
import org.streamprox.testkit.Curl;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.TestCertificates;

/**
 * TLS passed through by server name and ALPN, untouched, on the same port as plain HTTP, with curl and openssl as
 * the clients and TLS servers that each hold their own certificate: the client sees the upstream's certificate and
 * answer, so the bytes went through unread.
 */
class PassThroughTest {


    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();
    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    @TempDir
    Path directory;

    private TestCertificates.Pem alpha;
    private TestCertificates.Pem beta;
    private TestCertificates.Pem fallback;
    private final List<LoopbackServer> upstreams = new ArrayList<>();

    @BeforeEach
    void certificates() throws Exception {
        alpha = TestCertificates.selfSigned(directory, "alpha.example.test");
        beta = TestCertificates.selfSigned(directory, "*.beta.example.test");
        fallback = TestCertificates.selfSigned(directory, "fallback.example.test");
    }

    @AfterEach
    void stopUpstreams() throws Exception {
        for (LoopbackServer upstream : upstreams) {
            upstream.close();
        }
    }

    @Test
    void eachServerNameReachesItsOwnUpstreamWithItsOwnCertificate() throws Exception {
        int port = start(true);

        assertEquals("upstream alpha", Curl.https(alpha, "alpha.example.test", port, "/"));
        assertEquals("upstream beta", Curl.https(beta, "www.beta.example.test", port, "/"));
        proxy.awaitQuiet();
        assertTrue(accessLog.lines().stream().anyMatch(line -> line.contains(" alpha passthrough 127.0.0.1:")
                && line.contains(" tls=passthrough sni=alpha.example.test ")), accessLog.lines().toString());
    }

    @Test
    void aHelloWithoutServerNameGoesToTheRouteWithoutConditions() throws Exception {
        int port = start(true);

        Command result = Command.run(Http.ascii("GET / HTTP/1.0\r\n\r\n"), "openssl",
                "s_client", "-connect", "127.0.0.1:" + port, "-noservername", "-CAfile",
                fallback.certificate().toString(), "-verify_return_error", "-quiet");

        assertTrue(result.output().contains("upstream fallback"), result.output());
    }

    @Test
    void anApplicationProtocolChoosesItsRoute() throws Exception {
        int port = start(true);

        assertEquals("upstream fallback", Curl.https(fallback, "fallback.example.test", port, "/", "--http1.1"));
        assertTrue(Command.run(Http.ascii("GET / HTTP/1.0\r\n\r\n"), "openssl", "s_client",
                "-connect", "127.0.0.1:" + port, "-servername", "fallback.example.test", "-alpn", "acme-tls/1",
                "-CAfile", alpha.certificate().toString(), "-verify_return_error", "-quiet").output()
                .contains("upstream alpha"), "acme-tls/1 goes to the alpha upstream whatever the name");
    }

    @Test
    void aNameNoRouteTakesIsRefusedWithUnrecognizedNameWhenNothingTerminates() throws Exception {
        int port = start(false);

        Command result = Command.run("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "nobody.example.test");

        assertTrue(result.output().contains("unrecognized name"), result.output());
        proxy.awaitQuiet();
        assertTrue(accessLog.lines().stream().anyMatch(line -> line.contains("alert unrecognized_name: "
                + "no passthrough route for nobody.example.test")), accessLog.lines().toString());
    }

    @Test
    void plainHttpOnTheSamePortIsRoutedAsBefore() throws Exception {
        int port = start(true);

        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(30_000);
            String response = Http.exchange(client, "GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(response.endsWith("upstream plain"), response);
        }
    }

    @Test
    void aHelloInOneByteRecordsDrippedAFewBytesPerWriteIsRoutedByItsNameAndForwardedByteForByte() throws Exception {
        byte[] hello = new CraftedHello().serverName("drip.example.test").alpn("h2", "http/1.1").records(1);
        CompletableFuture<byte[]> forwarded = new CompletableFuture<>();
        LoopbackServer capture = LoopbackServer.start(socket -> forwarded.complete(
                socket.getInputStream().readNBytes(hello.length)));
        upstreams.add(capture);
        int port = proxy.start(new ConfigLoader(new LinkedHashSet<>()).load("""
                routes:
                  - { name: other, match: { sni: other.example.test }, passthrough: 127.0.0.1:9 }
                  - { name: drip, match: { sni: drip.example.test, alpn: h2 }, passthrough: 127.0.0.1:%d }
                """.formatted(capture.port()), "drip.yaml")).localAddress().getPort();

        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setTcpNoDelay(true);
            OutputStream out = client.getOutputStream();
            for (int at = 0; at < hello.length; at += 3) {
                out.write(hello, at, Math.min(3, hello.length - at));
                out.flush();
            }
            assertArrayEquals(hello, forwarded.get(30, TimeUnit.SECONDS));
        }
    }

    /** Starts one upstream per certificate and the proxy; with a default passthrough route or without. */
    private int start(boolean withDefault) throws Exception {
        LoopbackServer plain = LoopbackServer.start(socket -> answer(socket, "plain"));
        upstreams.add(plain);
        int alphaPort = tlsUpstream(alpha, "alpha");
        String yaml = """
                routes:
                  - name: acme
                    match: { alpn: acme-tls/1 }
                    passthrough: 127.0.0.1:%d
                  - name: alpha
                    match: { sni: alpha.example.test }
                    passthrough: 127.0.0.1:%d
                  - name: beta
                    match: { sni: '*.beta.example.test' }
                    passthrough: 127.0.0.1:%d
                  - name: plain
                    match: { tls: false }
                    remote: 127.0.0.1:%d
                """.formatted(alphaPort, alphaPort, tlsUpstream(beta, "beta"),
                plain.port());
        if (withDefault) {
            yaml += """
                      - name: fallback
                        passthrough: 127.0.0.1:%d
                    """.formatted(tlsUpstream(fallback, "fallback"));
        }
        ProxyConfig config = new ConfigLoader(new LinkedHashSet<>()).load(yaml, "passthrough.yaml");
        return proxy.start(config).localAddress().getPort();
    }

    private int tlsUpstream(TestCertificates.Pem certificate, String name) throws Exception {
        LoopbackServer upstream = LoopbackServer.tls(certificate.serverContext(), socket -> answer(socket, name));
        upstreams.add(upstream);
        return upstream.port();
    }

    /** Answers one request with a body naming the upstream, then closes. */
    private static void answer(Socket socket, String name) throws Exception {
        Http.readHead(socket.getInputStream());
        String body = "upstream " + name;
        OutputStream out = socket.getOutputStream();
        out.write(Http.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
                + body));
        out.flush();
    }
}
