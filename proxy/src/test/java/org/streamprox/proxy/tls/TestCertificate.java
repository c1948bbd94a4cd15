package org.streamprox.proxy.tls;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} made by the openssl command line, as an operator would make
 * one, with the contexts to use it: a server's that presents it, a client's that trusts it.
 */
final class TestCertificate {

    private static final char[] PASSWORD = "test-only".toCharArray();

    private final Path certificate;
    private final Path key;
    private final SSLContext server;
    private final SSLContext client;

    private TestCertificate(Path certificate, Path key, SSLContext server, SSLContext client) {
        this.certificate = certificate;
        this.key = key;
        this.server = server;
        this.client = client;
    }

    static TestCertificate makeIn(Path directory) throws Exception {
        Tool.run(directory, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                "-keyout", "key.pem", "-out", "cert.pem");
        Tool.run(directory, "openssl", "pkcs12", "-export", "-in", "cert.pem", "-inkey", "key.pem",
                "-name", "localhost", "-out", "keystore.p12", "-passout", "pass:" + new String(PASSWORD));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(directory.resolve("keystore.p12"))) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(keyManagers.getKeyManagers(), null, new SecureRandom());

        Certificate own = keys.getCertificate("localhost");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("localhost", own);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trustManagers.getTrustManagers(), new SecureRandom());
        return new TestCertificate(directory.resolve("cert.pem"), directory.resolve("key.pem"), server, client);
    }

    /** The certificate, PEM, for the command-line tools' -CAfile, --cacert, -cert. */
    Path certificate() {
        return certificate;
    }

    /** The private key, PEM, for openssl s_server's -key. */
    Path key() {
        return key;
    }

    /** A context presenting the certificate. */
    SSLContext server() {
        return server;
    }

    /** A context trusting the certificate, and nothing else. */
    SSLContext client() {
        return client;
    }
}
