package org.streamprox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.streamprox.testkit.Command;

/** Real clients, openssl s_client and curl, shaking hands with engines from {@link ServerCertificates#newEngine()}. */
class ServerCertificatesHandshakeTest {

    private static final Pattern SUBJECT = Pattern.compile("(?m)^subject=(.*)$");
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n");

    @TempDir
    static Path dir;
    private static ServerCertificates certificates;
    private TlsTestServer server;

    @BeforeAll
    static void makeCertificates() throws Exception {
        OpenSslKeys openssl = new OpenSslKeys(dir);
        Path defaultKey = openssl.ecPkcs8Key("default.key");
        Path exactKey = openssl.rsaPkcs1Key("exact.key");
        Path wildcardKey = openssl.ecSec1Key("wildcard.key");
        Path rsaKey = openssl.rsaPkcs1Key("both-rsa.key");
        certificates = ServerCertificates.load(List.of(
                pem(openssl, defaultKey, "/CN=default.test", "DNS:default.test"),
                pem(openssl, exactKey, "/CN=exact.test", "DNS:exact.test,DNS:other-name.test,DNS:named.wild.test"),
                pem(openssl, wildcardKey, "/CN=wildcard", "DNS:*.wild.test"),
                pem(openssl, defaultKey, "/CN=cn-only.test", null),
                pem(openssl, defaultKey, "/CN=both.test/O=ec", "DNS:both.test"),
                pem(openssl, rsaKey, "/CN=both.test/O=rsa", "DNS:both.test"),
                pem(openssl, rsaKey, "/CN=default.test/O=rsa", "DNS:default.test")));
    }

    private static CertificateSource pem(OpenSslKeys openssl, Path key, String subject, String alternativeNames)
            throws Exception {
        String file = subject.replaceAll("[^a-z.-]", "") + ".pem";
        return new CertificateSource.Pem(openssl.certificate(key, file, subject, alternativeNames), key);
    }

    /** A server per test, so that a test failing half-way leaves no handshake behind for the next one. */
    @BeforeEach
    void start() throws Exception {
        server = new TlsTestServer(certificates);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    /** What openssl s_client printed, and the server's view of the same handshake. */
    private record Client(Command command, TlsTestServer.Handshake handshake) {

        /** The subject of the certificate the client was served, as openssl prints it. */
        String servedSubject() {
            assertEquals(0, command.exitCode(), command.output());
            Matcher subject = SUBJECT.matcher(command.output());
            assertTrue(subject.find(), command.output());
            return subject.group(1);
        }
    }

    /** Connects openssl s_client with these options to the server. */
    private Client connect(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + server.port()));
        command.addAll(List.of(options));
        return new Client(Command.run(command.toArray(String[]::new)), server.nextHandshake());
    }

    @ParameterizedTest(name = "{0} gets {1}")
    @CsvSource(delimiter = '|', value = {
        "exact.test       | CN = exact.test",
        "EXACT.Test       | CN = exact.test",
        "other-name.test  | CN = exact.test",
        "a.wild.test      | CN = wildcard",
        "named.wild.test  | CN = exact.test",
        "wild.test        | CN = default.test",
        "a.b.wild.test    | CN = default.test",
        "cn-only.test     | CN = cn-only.test",
        "unknown.test     | CN = default.test",
        "default.test     | CN = default.test"})
    void certificateIsChosenByServerName(String serverName, String subject) throws Exception {
        Client client = connect("-servername", serverName);

        assertEquals(subject, client.servedSubject());
        assertEquals(List.of(serverName), client.handshake().requestedServerNames());
    }

    @Test
    void clientWithoutServerNameGetsTheDefault() throws Exception {
        Client client = connect("-noservername");

        assertEquals("CN = default.test", client.servedSubject());
        assertEquals(List.of(), client.handshake().requestedServerNames());
    }

    @Test
    void defaultsRsaTwinServesClientsWithoutServerNameThatCannotTakeEcdsa() throws Exception {
        assertEquals("CN = default.test",
                connect("-noservername", "-sigalgs", "ecdsa_secp256r1_sha256").servedSubject());
        assertEquals("CN = default.test, O = rsa",
                connect("-noservername", "-sigalgs", "rsa_pss_rsae_sha256").servedSubject());
    }

    @Test
    void ecdsaAndRsaCertificatesForOneNameServeClientsOfEitherKind() throws Exception {
        assertEquals("CN = both.test, O = ec",
                connect("-servername", "both.test", "-sigalgs", "ecdsa_secp256r1_sha256").servedSubject());
        assertEquals("CN = both.test, O = rsa",
                connect("-servername", "both.test", "-sigalgs", "rsa_pss_rsae_sha256").servedSubject());
        assertEquals("CN = both.test, O = rsa", connect("-servername", "both.test", "-tls1_2",
                "-cipher", "ECDHE-RSA-AES128-GCM-SHA256").servedSubject());
    }

    @Test
    void tls13And12AreSpokenAndTls11IsRefused() throws Exception {
        assertTrue(connect("-tls1_3").command().output().contains("New, TLSv1.3, Cipher is "));
        assertTrue(connect("-tls1_2").command().output().contains("New, TLSv1.2, Cipher is "));

        // The client's security level 0 lets it offer TLS 1.1 at all, so the refusal is the server's.
        Client old = connect("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");

        assertNotEquals(0, old.command().exitCode());
        assertTrue(old.command().output().contains("alert protocol version"), old.command().output());
        assertNotNull(old.handshake().failure());
    }

    @Test
    void tls12OffersOnlyForwardSecretAeadSuitesInOurOrder() throws Exception {
        Client cbc = connect("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA256");
        assertNotEquals(0, cbc.command().exitCode());
        assertTrue(cbc.command().output().contains("alert handshake failure"), cbc.command().output());

        Client chachaFirst = connect("-tls1_2", "-cipher",
                "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256");
        assertTrue(chachaFirst.command().output().contains("Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"),
                chachaFirst.command().output());
    }

    @Test
    void alpnSelectsHttp11AndNeverH2() throws Exception {
        Client both = connect("-alpn", "h2,http/1.1");
        assertTrue(both.command().output().contains("ALPN protocol: http/1.1"), both.command().output());
        assertEquals("http/1.1", both.handshake().applicationProtocol());

        Client h2Only = connect("-alpn", "h2");
        assertEquals(0, h2Only.command().exitCode(), h2Only.command().output());
        assertTrue(h2Only.command().output().contains("No ALPN negotiated"), h2Only.command().output());
        assertEquals("", h2Only.handshake().applicationProtocol());
        assertNull(h2Only.handshake().failure());
    }

    @Test
    void curlTrustsTheSelfSignedCertificateForLocalhostAndTheAddress() throws Exception {
        try (TlsTestServer selfSigned = new TlsTestServer(ServerCertificates.load(
                List.of(new CertificateSource.SelfSigned(List.of("localhost", "127.0.0.1")))))) {
            String port = Integer.toString(selfSigned.port());
            Command showCertificate = Command.run("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                    "-servername", "localhost");
            selfSigned.nextHandshake();
            Matcher certificate = PEM.matcher(showCertificate.output());
            assertTrue(certificate.find(), showCertificate.output());
            Path ca = Files.writeString(dir.resolve("self-signed-ca.pem"), certificate.group());

            assertEquals("ok", Command.succeed("curl", "-sS", "--cacert", ca.toString(), "--resolve",
                    "localhost:" + port + ":127.0.0.1", "https://localhost:" + port + "/"));
            assertEquals("http/1.1", selfSigned.nextHandshake().applicationProtocol());
            assertEquals("ok", Command.succeed("curl", "-sS", "--cacert", ca.toString(),
                    "https://127.0.0.1:" + port + "/"));
            selfSigned.nextHandshake();

            Command untrusted = Command.run("curl", "-sS", "--resolve", "localhost:" + port + ":127.0.0.1",
                    "https://localhost:" + port + "/");
            assertEquals(60, untrusted.exitCode(), "curl's code for a certificate it cannot verify: "
                    + untrusted.output());
        }
    }
}
