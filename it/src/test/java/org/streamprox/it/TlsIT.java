package org.streamprox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.TestCertificates;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;

/**
 * TLS through the StreamProx container to nginx speaking TLS: passed through by server name (the client checks
 * nginx's own certificate), and terminated and re-encrypted (StreamProx checks nginx's certificate, the client
 * StreamProx's), with 64 MiB checksummed each way on both paths, and a certificate for another name refused with
 * 502.
 */
class TlsIT {

    private static final long SIZE = 64L * 1024 * 1024;
    private static final Pattern SERVED_DIGEST = Pattern.compile("([0-9a-f]{64})  /srv/big");

    @TempDir
    static Path directory;

    private static TestCertificates.Pem siteCertificate;
    private static TestCertificates.Pem frontCertificate;
    private static GenericContainer<?> nginx;
    private static GenericContainer<?> streamprox;
    private static int port;
    private static String servedDigest;

    @BeforeAll
    static void start() throws Exception {
        siteCertificate = TestCertificates.selfSigned(directory, "site.test");
        frontCertificate = TestCertificates.selfSigned(directory, "front.test");
        int nginxPort = Images.freePort();
        nginx = Images.nginxTls(nginxPort, Files.readAllBytes(siteCertificate.certificate()),
                Files.readAllBytes(siteCertificate.key()), """
                  client_max_body_size 0;
                  location = /big { root /srv; }
                  location /uploads/ { root /srv; dav_methods PUT; create_full_put_path on; }
                """)
                .withCommand("sh", "-c", "head -c " + SIZE + " /dev/urandom > /srv/big && sha256sum /srv/big"
                        + " && install -d -o www-data /srv/uploads && exec nginx -g 'daemon off;'");
        nginx.start();
        Matcher served = SERVED_DIGEST.matcher(nginx.getLogs());
        assertTrue(served.find(), "nginx did not log the digest of what it serves");
        servedDigest = served.group(1);
        port = Images.freePort();
        streamprox = Images.streamprox(port, """
                tls:
                  certificates: [ { cert: /etc/front.crt, key: /etc/front.key } ]
                routes:
                  - { name: pass, match: { sni: site.test }, passthrough: 127.0.0.1:%1$d }
                  - name: wrong-name
                    match: { path-prefix: /wrong }
                    remote: 127.0.0.1:%1$d
                    tls: { ca: /etc/site-ca.pem, sni: someone-else.test }
                  - name: reencrypt
                    remote: 127.0.0.1:%1$d
                    tls: { ca: /etc/site-ca.pem, sni: site.test }
                """.formatted(nginxPort))
                .withCopyToContainer(Transferable.of(Files.readAllBytes(siteCertificate.certificate())),
                        "/etc/site-ca.pem")
                .withCopyToContainer(Transferable.of(Files.readAllBytes(frontCertificate.certificate())),
                        "/etc/front.crt")
                .withCopyToContainer(Transferable.of(Files.readAllBytes(frontCertificate.key())), "/etc/front.key");
        try {
            streamprox.start();
        } catch (RuntimeException e) {
            nginx.stop();
            throw e;
        }
    }

    @AfterAll
    static void stop() {
        streamprox.stop();
        nginx.stop();
    }

    @Test
    void passedThroughTheClientSeesNginxsCertificateAndEveryByte() throws Exception {
        assertBulkBothWays(() -> tlsClient(siteCertificate.clientContext(), "site.test"), "pass");
    }

    @Test
    void terminatedAndReEncryptedEveryByteArrives() throws Exception {
        assertBulkBothWays(() -> tlsClient(frontCertificate.clientContext(), "front.test"), "tls");
    }

    @Test
    void plainToTheProxyAndTlsToNginxEveryByteArrives() throws Exception {
        assertBulkBothWays(() -> new Socket(InetAddress.getLoopbackAddress(), port), "plain");
    }

    @Test
    void anUpstreamCertificateForAnotherNameIs502() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            String answer = Http.exchange(socket, "GET /wrong/x HTTP/1.1\r\nHost: it\r\nConnection: close\r\n\r\n");
            assertEquals(502, Http.status(answer), answer);
            assertTrue(answer.contains("TLS handshake failed"), answer);
        }
    }

    private interface Connect {
        Socket open() throws Exception;
    }

    /** Downloads nginx's 64 MiB file and uploads 64 MiB, each on a connection of its own, digests compared. */
    private static void assertBulkBothWays(Connect connect, String name) throws Exception {
        try (Socket socket = connect.open()) {
            socket.getOutputStream().write(Http.ascii(
                    "GET /big HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n"));
            InputStream in = socket.getInputStream();
            assertEquals(200, Http.status(Http.readHead(in)));
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[256 * 1024];
            long received = 0;
            for (int read; (read = in.read(buffer)) >= 0; received += read) {
                digest.update(buffer, 0, read);
            }
            assertEquals(SIZE, received);
            assertEquals(servedDigest, HexFormat.of().formatHex(digest.digest()));
        }
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (Socket socket = connect.open()) {
            OutputStream out = socket.getOutputStream();
            out.write(Http.ascii("PUT /uploads/" + name + " HTTP/1.1\r\nHost: site.test\r\nContent-Length: " + SIZE
                    + "\r\nConnection: close\r\n\r\n"));
            Random random = new Random(name.hashCode());
            byte[] chunk = new byte[256 * 1024];
            for (long sent = 0; sent < SIZE; sent += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
                digest.update(chunk);
            }
            assertEquals(201, Http.status(Http.readHead(socket.getInputStream())));
        }
        String stored = nginx.execInContainer("sha256sum", "/srv/uploads/" + name).getStdout();
        assertEquals(HexFormat.of().formatHex(digest.digest()), stored.substring(0, 64));
        nginx.execInContainer("rm", "/srv/uploads/" + name);
    }

    /** A TLS client to the proxy's port asking for {@code serverName}, trusting only {@code trust}'s certificate. */
    private static Socket tlsClient(SSLContext trust, String serverName) throws Exception {
        SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        // The certificate must also be for that name, as a browser would check it.
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(60_000);
        return socket;
    }
}
