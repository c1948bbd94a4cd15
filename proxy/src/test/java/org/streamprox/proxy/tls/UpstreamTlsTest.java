package org.streamprox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.proxy.config.ConfigException;

/** Engines from {@link UpstreamTls} against a TLS upstream on 127.0.0.1 whose certificate openssl made. */
class UpstreamTlsTest {

    @TempDir
    static Path dir;
    /** The upstream's self-signed certificate, for upstream.test and 127.0.0.1: its own CA. */
    private static Path upstreamCa;
    private static Path otherCa;
    private static ServerCertificates upstreamCertificates;
    private TlsTestServer upstream;

    @BeforeAll
    static void makeCertificates() throws Exception {
        OpenSslKeys openssl = new OpenSslKeys(dir);
        Path key = openssl.ecPkcs8Key("upstream.key");
        upstreamCa = openssl.certificate(key, "upstream.pem", "/CN=upstream.test", "DNS:upstream.test,IP:127.0.0.1");
        otherCa = openssl.certificate(openssl.ecPkcs8Key("other.key"), "other.pem", "/CN=other CA", null);
        upstreamCertificates = ServerCertificates.load(List.of(new CertificateSource.Pem(upstreamCa, key)));
    }

    /** An upstream per test, so that a test failing half-way leaves no handshake behind for the next one. */
    @BeforeEach
    void start() throws Exception {
        upstream = new TlsTestServer(upstreamCertificates);
    }

    @AfterEach
    void stop() throws Exception {
        upstream.close();
    }

    /** Connects to the upstream as {@code host}, shakes hands and exchanges a request and its answer. */
    private TlsTestServer.Handshake exchange(UpstreamTls tls, String host) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), upstream.port())) {
            socket.setSoTimeout(10_000);
            EngineConnection connection = new EngineConnection(tls.newEngine(host, upstream.port()), socket);
            connection.handshake();
            connection.write("GET / HTTP/1.1\r\nHost: upstream.test\r\n\r\n");
            assertTrue(connection.read("ok").endsWith("\r\n\r\nok"));
            assertEquals("http/1.1", connection.engine().getApplicationProtocol());
            connection.close();
        }
        TlsTestServer.Handshake handshake = upstream.nextHandshake();
        assertNull(handshake.failure());
        return handshake;
    }

    private SSLHandshakeException refusal(UpstreamTls tls, String host) throws Exception {
        SSLHandshakeException refused = assertThrows(SSLHandshakeException.class, () -> exchange(tls, host));
        assertNotNull(upstream.nextHandshake().failure(), "the client's alert ends the upstream's handshake");
        return refused;
    }

    @Test
    void verifiesTheConfiguredNameAgainstTheConfiguredCa() throws Exception {
        TlsTestServer.Handshake handshake = exchange(
                new UpstreamTls(true, Optional.of(upstreamCa), Optional.of("upstream.test")), "127.0.0.1");

        assertEquals(List.of("upstream.test"), handshake.requestedServerNames());
        assertEquals("http/1.1", handshake.applicationProtocol());
    }

    @Test
    void sendsAndVerifiesTheHostWhenNoNameIsConfigured() throws Exception {
        UpstreamTls tls = new UpstreamTls(true, Optional.of(upstreamCa), Optional.empty());

        assertEquals(List.of("upstream.test"), exchange(tls, "upstream.test").requestedServerNames());
        assertEquals(List.of(), exchange(tls, "127.0.0.1").requestedServerNames(), "no SNI for an address");
    }

    @Test
    void certificateForAnotherNameIsRefused() throws Exception {
        // The certificate also names 127.0.0.1, the host connected to: only the configured name counts.
        SSLHandshakeException refused = refusal(
                new UpstreamTls(true, Optional.of(upstreamCa), Optional.of("other.test")), "127.0.0.1");

        assertTrue(refused.getMessage().contains("other.test"), refused.getMessage());
    }

    @Test
    void certificateFromAnotherCaIsRefused() throws Exception {
        refusal(new UpstreamTls(true, Optional.of(otherCa), Optional.of("upstream.test")), "127.0.0.1");
    }

    @Test
    void jdkTrustStoreIsTheDefault() throws Exception {
        refusal(new UpstreamTls(true, Optional.empty(), Optional.of("upstream.test")), "127.0.0.1");
    }

    @Test
    void caBundleMayHoldSeveralCertificatesAndComments() throws Exception {
        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, "# other CA\n" + Files.readString(otherCa) + "# upstream\n"
                + Files.readString(upstreamCa));

        exchange(new UpstreamTls(true, Optional.of(bundle), Optional.of("upstream.test")), "127.0.0.1");
    }

    @Test
    void withoutVerificationAnyCertificateForAnyNameIsAccepted() throws Exception {
        assertEquals(List.of("other.test"),
                exchange(new UpstreamTls(false, Optional.empty(), Optional.of("other.test")), "127.0.0.1")
                        .requestedServerNames());
    }

    @Test
    void enginesAreClientsForTls13And12OfferingHttp11() throws Exception {
        SSLParameters verifying = new UpstreamTls(true, Optional.empty(), Optional.empty())
                .newEngine("upstream.test", 443).getSSLParameters();
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(verifying.getProtocols()));
        assertEquals(List.of("http/1.1"), List.of(verifying.getApplicationProtocols()));
        assertEquals("HTTPS", verifying.getEndpointIdentificationAlgorithm());

        assertNull(new UpstreamTls(false, Optional.empty(), Optional.empty()).newEngine("upstream.test", 443)
                .getSSLParameters().getEndpointIdentificationAlgorithm());
    }

    @Test
    void configurationMistakesAreNamed() {
        assertEquals("tls: a ca is only used to verify; it has no effect with verify: false",
                assertThrows(ConfigException.class,
                        () -> new UpstreamTls(false, Optional.of(upstreamCa), Optional.empty())).getMessage());
        Path missing = dir.resolve("missing.pem");
        assertEquals(missing + ": no such file", assertThrows(ConfigException.class,
                () -> new UpstreamTls(true, Optional.of(missing), Optional.empty())).getMessage());
        assertEquals("tls: 'bad_name' cannot be sent as a server name (SNI)", assertThrows(ConfigException.class,
                () -> new UpstreamTls(true, Optional.empty(), Optional.of("bad_name"))).getMessage());
    }
}
