package org.streamprox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.TestCertificates;

/**
 * Remote routes that speak TLS to their upstream: the upstream's certificate checked against the configured CA and
 * name (a mismatch is a 502 with its reason), and a client's TLS terminated and re-encrypted with every byte intact
 * both ways.
 */
class ReEncryptTest {

    private static final int BULK_BYTES = 16 * 1024 * 1024;

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();
    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    @TempDir
    Path directory;

    private TestCertificates.Pem upstreamCertificate;
    private LoopbackServer upstream;

    @BeforeEach
    void startUpstream() throws Exception {
        upstreamCertificate = TestCertificates.selfSigned(directory, "upstream.test");
        // Answers a GET with its name; echoes anything else (a POST's head and body) until the client's close_notify.
        upstream = LoopbackServer.tls(upstreamCertificate.serverContext(), socket -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] first = in.readNBytes(3);
            if (new String(first, StandardCharsets.US_ASCII).equals("GET")) {
                Http.readHead(in);
                out.write(Http.ascii("HTTP/1.1 200 OK\r\nContent-Length: 14\r\nConnection: close\r\n\r\nupstream (tls)"));
            } else {
                out.write(first);
                in.transferTo(out);
            }
            out.flush();
        });
    }

    @AfterEach
    void stopUpstream() throws Exception {
        upstream.close();
    }

    @Test
    void aPlainRequestGoesToTheUpstreamOverVerifiedTls() throws Exception {
        int port = start("tls: { ca: " + upstreamCertificate.certificate() + ", sni: upstream.test }");

        String answer = plainExchange(port);

        assertEquals(200, Http.status(answer), answer);
        assertTrue(answer.endsWith("upstream (tls)"), answer);
    }

    @Test
    void aCertificateForAnotherNameIsRefusedWith502AndTheReason() throws Exception {
        int port = start("tls: { ca: " + upstreamCertificate.certificate() + ", sni: someone-else.test }");

        String answer = plainExchange(port);

        assertEquals(502, Http.status(answer), answer);
        proxy.awaitQuiet();
        assertTrue(accessLog.lines().stream().anyMatch(line -> line.contains("502 upstream 127.0.0.1:")
                && line.contains("TLS handshake failed")), accessLog.lines().toString());
    }

    @Test
    void anUntrustedCertificateIsRefusedUnlessVerificationIsTurnedOff() throws Exception {
        assertEquals(502, Http.status(plainExchange(start("tls: { sni: upstream.test }"))),
                "the JDK's trust store does not know the test's certificate");
    }

    @Test
    void withoutVerificationAnyCertificateIsTaken() throws Exception {
        assertEquals(200, Http.status(plainExchange(start("tls: { verify: false }"))));
    }

    @Test
    void terminatedAndReEncryptedBytesArriveIntactBothWays() throws Exception {
        TestCertificates.Pem front = TestCertificates.selfSigned(directory, "localhost");
        int port = start("tls: { ca: " + upstreamCertificate.certificate() + ", sni: upstream.test }", """
                tls:
                  certificates: [ { cert: %s, key: %s } ]
                """.formatted(front.certificate(), front.key()));
        // A head to route by, then 16 MiB of random body, which the upstream echoes with the head.
        byte[] head = Http.ascii("POST /bulk HTTP/1.1\r\nHost: x\r\nContent-Length: " + BULK_BYTES + "\r\n\r\n");
        byte[] sent = Arrays.copyOf(head, head.length + BULK_BYTES);
        byte[] body = new byte[BULK_BYTES];
        new Random(14).nextBytes(body);
        System.arraycopy(body, 0, sent, head.length, BULK_BYTES);

        try (SSLSocket client = (SSLSocket) front.clientContext().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(30_000);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.getInputStream().readAllBytes();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, Thread::startVirtualThread);
            client.getOutputStream().write(sent);
            client.shutdownOutput();
            assertArrayEquals(sha256(sent), sha256(received.join()), "the bytes came back whole");
        }
    }

    /** Starts the proxy with one remote route to the TLS upstream, with that route's {@code tls:}. */
    private int start(String routeTls) throws Exception {
        return start(routeTls, "");
    }

    private int start(String routeTls, String listenerSettings) throws Exception {
        return proxy.start(new ConfigLoader(new LinkedHashSet<>()).load(listenerSettings + """
                routes:
                  - name: secure
                    remote: 127.0.0.1:%d
                    %s
                """.formatted(upstream.port(), routeTls), "reencrypt.yaml")).localAddress().getPort();
    }

    private static String plainExchange(int port) throws Exception {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(30_000);
            return Http.exchange(client, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        }
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
