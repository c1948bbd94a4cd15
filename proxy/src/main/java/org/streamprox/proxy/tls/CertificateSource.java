package org.streamprox.proxy.tls;

import java.nio.file.Path;
import java.util.List;

/** Where a server certificate and its private key come from, as the configuration names them. */
public sealed interface CertificateSource {

    /**
     * PEM files: the certificate chain, the server's own certificate first and then its intermediates, and an
     * unencrypted private key ({@code BEGIN PRIVATE KEY}, {@code BEGIN RSA PRIVATE KEY} or
     * {@code BEGIN EC PRIVATE KEY}). Both may be the same file.
     */
    record Pem(Path chain, Path key) implements CertificateSource {
    }

    /** A PKCS#12 file holding one private key and its chain, under one password for the file and the key. */
    record Pkcs12(Path file, String password) implements CertificateSource {

        @Override
        public String toString() {
            // Sources end up in messages and logs; the password must not.
            return "Pkcs12[file=" + file + "]";
        }
    }

    /**
     * A certificate made at start-up for these names (host names, or IP addresses such as 127.0.0.1), signed by its
     * own new P-256 key: for trying TLS out and for tests; clients must be told to trust it.
     */
    record SelfSigned(List<String> names) implements CertificateSource {

        public SelfSigned {
            names = List.copyOf(names);
        }
    }
}
