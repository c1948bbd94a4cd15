package org.streamprox.proxy.tls;

import java.util.List;

/** The TLS versions, cipher suites and application protocol StreamProx speaks. */
final class TlsPolicy {

    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /**
     * Mozilla's "intermediate" profile without its finite-field DHE suites, in its order: every TLS 1.3 suite, and
     * for TLS 1.2 ephemeral ECDH with AES-GCM or ChaCha20-Poly1305 only (forward secrecy, authenticated encryption).
     */
    static final List<String> SERVER_CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /**
     * The only application protocol negotiated (ALPN): routes are chosen per connection from its first HTTP/1 head,
     * so a client must never be told to speak h2.
     */
    static final String HTTP_1_1 = "http/1.1";

    private TlsPolicy() {
    }
}
