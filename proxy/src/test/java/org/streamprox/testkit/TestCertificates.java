package org.streamprox.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made for a test by the real {@code openssl} command: self-signed ECDSA P-256, one per server, each
 * its own trust anchor.
 */
public final class TestCertificates {

    private static final String PASSWORD = "test";

    /**
     * A certificate and its key as PEM files.
     *
     * @param certificate the certificate, which is also the CA a client trusts
     * @param key         its private key, PKCS#8
     */
    public record Pem(Path certificate, Path key) {

        /** A server context with this certificate, through a PKCS#12 file as openssl exports it. */
        public SSLContext serverContext() throws IOException, InterruptedException, GeneralSecurityException {
            Path pkcs12 = certificate.resolveSibling(certificate.getFileName() + ".p12");
            openssl("pkcs12", "-export", "-in", certificate.toString(), "-inkey", key.toString(), "-out",
                    pkcs12.toString(), "-passout", "pass:" + PASSWORD);
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(pkcs12)) {
                store.load(in, PASSWORD.toCharArray());
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        }

        /** Its public key's SHA-256 in base64, for Chromium's {@code --ignore-certificate-errors-spki-list}. */
        public String publicKeyPin() throws IOException, GeneralSecurityException {
            try (InputStream in = Files.newInputStream(certificate)) {
                byte[] key = CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey()
                        .getEncoded();
                return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(key));
            }
        }

        /** A client context that trusts this certificate only. */
        public SSLContext clientContext() throws IOException, GeneralSecurityException {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            try (InputStream in = Files.newInputStream(certificate)) {
                store.setCertificateEntry("server", CertificateFactory.getInstance("X.509")
                        .generateCertificate(in));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        }
    }

    private TestCertificates() {
    }

    /**
     * A self-signed certificate in {@code directory} for these names (DNS names, or IPv4 addresses), the first also
     * its common name.
     */
    public static Pem selfSigned(Path directory, String... names) throws IOException, InterruptedException {
        Path certificate = directory.resolve(names[0].replace('*', '_') + ".crt");
        Path key = directory.resolve(names[0].replace('*', '_') + ".key");
        String alternativeNames = Arrays.stream(names).map(name -> (name.matches("[0-9.]+") ? "IP:" : "DNS:") + name)
                .collect(Collectors.joining(","));
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=" + names[0], "-addext", "subjectAltName=" + alternativeNames,
                "-keyout", key.toString(), "-out", certificate.toString());
        return new Pem(certificate, key);
    }

    private static void openssl(String... arguments) throws IOException, InterruptedException {
        String[] command = new String[arguments.length + 1];
        command[0] = "openssl";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        Command result = Command.run(command);
        if (result.exitCode() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + result.output());
        }
    }
}
