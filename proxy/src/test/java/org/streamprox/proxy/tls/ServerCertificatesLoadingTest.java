package org.streamprox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.config.ConfigException;
import org.streamprox.testkit.Command;

/** Loading certificates as operators make them with openssl, and the messages for the ways that goes wrong. */
class ServerCertificatesLoadingTest {

    @TempDir
    static Path dir;
    private static OpenSslKeys openssl;
    private static Path ecKey;
    private static Path ecCertificate;

    @BeforeAll
    static void makeKeys() throws Exception {
        openssl = new OpenSslKeys(dir);
        ecKey = openssl.ecPkcs8Key("ec.key");
        ecCertificate = openssl.certificate(ecKey, "ec.pem", "/CN=ec.test", "DNS:ec.test");
    }

    private static ServerCertificates load(CertificateSource... sources) throws ConfigException {
        return ServerCertificates.load(List.of(sources));
    }

    private static String refusal(CertificateSource... sources) {
        return assertThrows(ConfigException.class, () -> load(sources)).getMessage();
    }

    @Test
    void pkcs8KeyLoads() throws Exception {
        assertEquals("EC", PemFiles.privateKey(ecKey).getAlgorithm());
        assertTrue(load(new CertificateSource.Pem(ecCertificate, ecKey)).hasCertificateFor("ec.test"));
    }

    @Test
    void pkcs1RsaKeyLoads() throws Exception {
        Path key = openssl.rsaPkcs1Key("rsa.key");
        assertTrue(Files.readString(key).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        Path certificate = openssl.certificate(key, "rsa.pem", "/CN=rsa.test", "DNS:rsa.test");

        assertEquals("RSA", PemFiles.privateKey(key).getAlgorithm());
        assertTrue(load(new CertificateSource.Pem(certificate, key)).hasCertificateFor("rsa.test"));
    }

    @Test
    void sec1EcKeyAfterItsParametersLoads() throws Exception {
        Path key = openssl.ecSec1Key("sec1.key");
        assertTrue(Files.readString(key).contains("-----BEGIN EC PRIVATE KEY-----"));
        Path certificate = openssl.certificate(key, "sec1.pem", "/CN=sec1.test", "DNS:sec1.test");

        assertTrue(load(new CertificateSource.Pem(certificate, key)).hasCertificateFor("sec1.test"));
    }

    @Test
    void keyAndChainMayShareAFile() throws Exception {
        Path both = dir.resolve("both.pem");
        Files.writeString(both, Files.readString(ecKey) + Files.readString(ecCertificate));

        assertTrue(load(new CertificateSource.Pem(both, both)).hasCertificateFor("ec.test"));
    }

    @Test
    void pkcs12Loads() throws Exception {
        Path pkcs12 = openssl.pkcs12(ecCertificate, ecKey, "secret", "ec.p12");

        assertTrue(load(new CertificateSource.Pkcs12(pkcs12, "secret")).hasCertificateFor("ec.test"));
    }

    @Test
    void wrongPkcs12PasswordIsNamed() throws Exception {
        Path pkcs12 = openssl.pkcs12(ecCertificate, ecKey, "secret", "wrong.p12");

        assertEquals(pkcs12 + ": wrong password", refusal(new CertificateSource.Pkcs12(pkcs12, "guess")));
    }

    @Test
    void pkcs12PasswordStaysOutOfMessages() {
        assertFalse(new CertificateSource.Pkcs12(dir.resolve("a.p12"), "secret").toString().contains("secret"));
    }

    @Test
    void aFileThatIsNotPkcs12IsNamed() {
        assertTrue(refusal(new CertificateSource.Pkcs12(ecCertificate, "secret"))
                .startsWith(ecCertificate + ": not a PKCS#12 file"));
    }

    @Test
    void keyOfAnotherCertificateIsRefused() throws Exception {
        Path otherKey = openssl.ecPkcs8Key("other.key");

        assertEquals(otherKey + ": the private key does not match the first certificate in " + ecCertificate
                        + " (the chain must start with the server's own certificate)",
                refusal(new CertificateSource.Pem(ecCertificate, otherKey)));
    }

    @Test
    void rsaKeyForAnEcCertificateIsRefused() throws Exception {
        Path rsaKey = openssl.rsaPkcs1Key("mismatch-rsa.key");

        assertTrue(refusal(new CertificateSource.Pem(ecCertificate, rsaKey)).startsWith(
                rsaKey + ": the private key does not match the first certificate in " + ecCertificate));
    }

    @Test
    void chainStartingWithAnotherCertificateIsRefused() throws Exception {
        Path otherKey = openssl.ecPkcs8Key("first.key");
        Path other = openssl.certificate(otherKey, "first.pem", "/CN=first.test", "DNS:first.test");
        Path reversed = dir.resolve("reversed.pem");
        Files.writeString(reversed, Files.readString(other) + Files.readString(ecCertificate));

        assertTrue(refusal(new CertificateSource.Pem(reversed, ecKey))
                .endsWith("(the chain must start with the server's own certificate)"));
    }

    @Test
    void missingFilesAreNamed() {
        Path missing = dir.resolve("missing.pem");

        assertEquals(missing + ": no such file", refusal(new CertificateSource.Pem(missing, ecKey)));
        assertEquals(missing + ": no such file", refusal(new CertificateSource.Pem(ecCertificate, missing)));
        assertEquals(missing + ": no such file", refusal(new CertificateSource.Pkcs12(missing, "secret")));
    }

    @Test
    void filesWithoutTheExpectedBlockAreNamed() {
        assertTrue(refusal(new CertificateSource.Pem(ecKey, ecKey)).startsWith(ecKey + ": no certificate in it"));
        assertTrue(refusal(new CertificateSource.Pem(ecCertificate, ecCertificate))
                .startsWith(ecCertificate + ": no private key in it"));
    }

    @Test
    void encryptedKeyIsRefused() throws Exception {
        Path encrypted = openssl.encrypted(ecKey, "encrypted.key");

        assertTrue(refusal(new CertificateSource.Pem(ecCertificate, encrypted))
                .startsWith(encrypted + ": the private key is encrypted"));
    }

    @Test
    void noCertificateAtAllIsRefused() {
        assertEquals("TLS needs at least one certificate", assertThrows(ConfigException.class,
                () -> ServerCertificates.load(List.of())).getMessage());
    }

    @Test
    void expiredCertificateLoadsWithAWarning() throws Exception {
        Path expired = openssl.expiredCertificate(ecKey, "expired.pem", "expired.test");
        Logger logger = (Logger) LoggerFactory.getLogger(ServerCertificate.class);
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        logger.addAppender(warnings);
        try {
            assertTrue(load(new CertificateSource.Pem(expired, ecKey)).hasCertificateFor("expired.test"));
        } finally {
            logger.detachAppender(warnings);
        }

        assertEquals(1, warnings.list.size());
        assertTrue(warnings.list.getFirst().getFormattedMessage()
                .startsWith(expired + ": the certificate for [expired.test] expired on "));
    }

    @Test
    void namesComeFromAlternativeNamesElseTheCommonName() throws Exception {
        Path alternative = openssl.certificate(ecKey, "san.pem", "/CN=cn.test", "DNS:san.test,DNS:*.wild.test");
        Path commonNameOnly = openssl.certificate(ecKey, "cn.pem", "/CN=Only-CN.test", null);

        ServerCertificates certificates = load(new CertificateSource.Pem(alternative, ecKey),
                new CertificateSource.Pem(commonNameOnly, ecKey));

        assertTrue(certificates.hasCertificateFor("san.test"));
        assertFalse(certificates.hasCertificateFor("cn.test"));
        assertTrue(certificates.hasCertificateFor("only-cn.test"));
        assertTrue(certificates.hasCertificateFor("A.Wild.Test"));
        assertFalse(certificates.hasCertificateFor("wild.test"));
        assertFalse(certificates.hasCertificateFor("a.b.wild.test"));
        assertFalse(certificates.hasCertificateFor("unknown.test"));
    }

    @Test
    void selfSignedCertificateNamesEachNameWithAP256Key() throws Exception {
        ServerCertificate selfSigned = SelfSignedCertificate.generate(List.of("localhost", "127.0.0.1", "*.dev.test"));
        X509Certificate certificate = selfSigned.leaf();

        assertEquals(List.of(List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(2, "*.dev.test")),
                List.copyOf(certificate.getSubjectAlternativeNames()));
        AlgorithmParameters p256 = AlgorithmParameters.getInstance("EC");
        p256.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec expected = p256.getParameterSpec(ECParameterSpec.class);
        ECParameterSpec actual = ((ECPublicKey) certificate.getPublicKey()).getParams();
        assertEquals(expected.getCurve(), actual.getCurve());
        assertEquals(expected.getGenerator(), actual.getGenerator());
        assertEquals("SHA256withECDSA", certificate.getSigAlgName());
        assertEquals(-1, certificate.getBasicConstraints(), "not a CA");
        certificate.checkValidity();
        Path pem = dir.resolve("self-signed.pem");
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
        assertTrue(Command.succeed("openssl", "x509", "-in", pem.toString(), "-noout", "-ext", "subjectAltName")
                .contains("DNS:localhost, IP Address:127.0.0.1, DNS:*.dev.test"));
    }

    @Test
    void selfSignedNeedsUsableNames() {
        assertEquals("self-signed: needs at least one name, such as localhost",
                refusal(new CertificateSource.SelfSigned(List.of())));
        assertEquals("self-signed: 'not a name' is neither a host name nor an IP address",
                refusal(new CertificateSource.SelfSigned(List.of("localhost", "not a name"))));
    }

    @Test
    void enginesAreServersForTls13And12Only() throws Exception {
        SSLEngine engine = load(new CertificateSource.Pem(ecCertificate, ecKey)).newEngine();

        assertFalse(engine.getUseClientMode());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(engine.getEnabledProtocols()));
        assertEquals(TlsPolicy.SERVER_CIPHER_SUITES, List.of(engine.getEnabledCipherSuites()));
        assertTrue(engine.getSSLParameters().getUseCipherSuitesOrder());
    }
}
