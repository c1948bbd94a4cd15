package org.streamprox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
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
 * TLS terminated on the same port as plain HTTP, with curl and openssl as the clients: the certificate chosen by
 * server name, the decrypted head routed and forwarded, ALPN, plain HTTP beside it or refused, and each way a
 * handshake can fail ending in a defined way within the head's deadline.
 */
class TerminationTest {


    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();
    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    @TempDir
    Path directory;

    private TestCertificates.Pem site;
    private TestCertificates.Pem wildcard;
    private LoopbackServer upstream;

    @BeforeEach
    void start() throws Exception {
        site = TestCertificates.selfSigned(directory, "localhost");
        wildcard = TestCertificates.selfSigned(directory, "*.wild.test");
        // Answers with the head it got, so the client sees what was forwarded after decryption.
        upstream = LoopbackServer.start(socket -> {
            String head = Http.readHead(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write(Http.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + head.length() + "\r\nConnection: close\r\n\r\n"
                    + head));
            out.flush();
        });
    }

    @AfterEach
    void stop() throws Exception {
        upstream.close();
    }

    @Test
    void curlGetsTheDecryptedHeadForwardedWithTheCertificateForItsName() throws Exception {
        int port = start("");

        String answer = Curl.https(site, "localhost", port, "/over/tls", "--http2");

        assertTrue(answer.startsWith("GET /over/tls HTTP/1.1\r\nHost: localhost:" + port + "\r\n"), answer);
        proxy.awaitQuiet();
        assertTrue(accessLog.lines().stream().anyMatch(line -> line.contains(" GET /over/tls site remote 127.0.0.1:")
                && line.contains(" tls=tls1.3 sni=localhost alpn=http/1.1 status=200 ")), accessLog.lines().toString());
        assertTrue(Curl.https(wildcard, "www.wild.test", port, "/wild").startsWith("GET /wild HTTP/1.1\r\n"),
                "the wildcard certificate verifies for www.wild.test");
    }

    @Test
    void aHelloSpreadOverSmallRecordsIsTerminatedAndServed() throws Exception {
        int port = start("");

        try (SSLSocket client = (SSLSocket) site.clientContext().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), port)) {
            SSLParameters parameters = client.getSSLParameters();
            // The JDK then cuts its ClientHello into several records, as post-quantum key shares make browsers do.
            parameters.setMaximumPacketSize(256);
            parameters.setServerNames(List.of(new SNIHostName("localhost")));
            client.setSSLParameters(parameters);
            client.setSoTimeout(30_000);
            String answer = Http.exchange(client,
                    "GET /split HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertEquals(200, Http.status(answer), answer);
            assertTrue(answer.contains("GET /split HTTP/1.1"), answer);
        }
    }

    @Test
    void withoutServerNameTheFirstCertificateIsServed() throws Exception {
        int port = start("");

        Command result = Command.run(Http.ascii("GET /x HTTP/1.0\r\n\r\n"), "openssl",
                "s_client", "-connect", "127.0.0.1:" + port, "-noservername", "-CAfile", site.certificate().toString(),
                "-verify_return_error", "-ign_eof");

        assertTrue(result.output().contains("subject=CN = localhost"), result.output());
        assertTrue(result.output().contains("GET /x HTTP/1.0"), result.output());
    }

    @Test
    void plainHttpWorksBesideTlsUnlessTlsIsRequired() throws Exception {
        int port = start("");
        assertTrue(plain(port).endsWith("GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void requiredTlsAnswersPlainHttpAsNginxDoes() throws Exception {
        int port = start("required: true");

        String answer = plain(port);

        assertEquals(400, Http.status(answer), answer);
        assertTrue(answer.contains("plain HTTP request sent to HTTPS port"), answer);
    }

    @Test
    void aClientWithoutASharedProtocolGetsAnAlertAndTheLogSaysWhy() throws Exception {
        int port = start("");

        Command result = Command.run("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "localhost", "-tls1_1");

        assertTrue(result.output().contains("alert protocol version"), result.output());
        proxy.awaitQuiet();
        assertTrue(accessLog.lines().stream().anyMatch(line -> line.contains("closed: TLS handshake failed: ")),
                accessLog.lines().toString());
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsLoggedWithTheAlertItSent() throws Exception {
        int port = start("");

        Command result = Command.run("curl", "-sS", "--max-time", "20", "--resolve",
                "localhost:" + port + ":127.0.0.1", "https://localhost:" + port + "/");

        assertTrue(result.exitCode() != 0 && result.output().contains("self-signed"), result.output());
        proxy.awaitQuiet();
        assertTrue(accessLog.lines().stream().anyMatch(line -> line.contains("closed: TLS handshake failed: ")
                && line.contains("unknown_ca")), accessLog.lines().toString());
    }

    @Test
    void strictSniRefusesANameNoCertificateHas() throws Exception {
        int port = start("strict-sni: true");

        Command result = Command.run("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-servername", "nobody.example.test");

        assertTrue(result.output().contains("unrecognized name"), result.output());
        proxy.awaitQuiet();
        assertTrue(accessLog.lines().stream().anyMatch(line -> line.contains(
                "alert unrecognized_name: no certificate for nobody.example.test (strict-sni)")),
                accessLog.lines().toString());
    }

    @Test
    void aClientStallingMidHandshakeIsLetGoAtTheHeadDeadline() throws Exception {
        int port = start("");
        byte[] hello = capturedHello();

        long started = System.nanoTime();
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(30_000);
            client.getOutputStream().write(hello, 0, hello.length / 2);
            InputStream in = client.getInputStream();
            assertEquals(0, Http.countUntilTheEnd(in), "closed without a word");
        }
        long waitedMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertTrue(waitedMillis >= 900 && waitedMillis < 5_000,
                "let go after " + waitedMillis + " ms (head timeout 1s)");
    }

    /** A real ClientHello: what curl sends first, caught by a server that reads it and closes. */
    private static byte[] capturedHello() throws Exception {
        List<byte[]> caught = new ArrayList<>();
        try (LoopbackServer catcher = LoopbackServer.start(socket -> {
            byte[] buffer = new byte[16 * 1024];
            int read = socket.getInputStream().read(buffer);
            synchronized (caught) {
                caught.add(java.util.Arrays.copyOf(buffer, read));
            }
        })) {
            Command.run("curl", "-sk", "--max-time", "5", "https://localhost:" + catcher.port() + "/");
        }
        synchronized (caught) {
            return caught.get(0);
        }
    }

    /** Starts the proxy terminating TLS with both certificates, with these extra {@code tls:} settings. */
    private int start(String tlsSettings) throws Exception {
        String yaml = """
                head: { timeout: 1s }
                tls:
                  certificates:
                    - { cert: %s, key: %s }
                    - { cert: %s, key: %s }
                  %s
                routes:
                  - name: site
                    remote: 127.0.0.1:%d
                """.formatted(site.certificate(), site.key(), wildcard.certificate(), wildcard.key(), tlsSettings,
                upstream.port());
        ProxyConfig config = new ConfigLoader(new LinkedHashSet<>()).load(yaml, "termination.yaml");
        return proxy.start(config).localAddress().getPort();
    }

    private static String plain(int port) throws Exception {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(30_000);
            return Http.exchange(client, "GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        }
    }
}
