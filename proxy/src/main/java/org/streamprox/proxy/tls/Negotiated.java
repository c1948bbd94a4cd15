package org.streamprox.proxy.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What a TLS handshake settled, for routing and the logs.
 *
 * @param protocol            the protocol version, such as {@code TLSv1.3}
 * @param cipherSuite         the cipher suite, such as {@code TLS_AES_128_GCM_SHA256}
 * @param applicationProtocol the ALPN protocol agreed on, such as {@code http/1.1}; empty when ALPN was not used
 * @param serverName          the host name the client asked for (SNI); empty when it named none
 * @param peerCertificate     the peer's own certificate; empty when it sent none (a client, usually)
 */
public record Negotiated(String protocol, String cipherSuite, Optional<String> applicationProtocol,
                         Optional<String> serverName, Optional<X509Certificate> peerCertificate) {

    static Negotiated by(SSLEngine engine) {
        SSLSession session = engine.getSession();
        return new Negotiated(session.getProtocol(), session.getCipherSuite(),
                Optional.ofNullable(engine.getApplicationProtocol()).filter(name -> !name.isEmpty()),
                serverName(session), peerCertificate(session));
    }

    private static Optional<String> serverName(SSLSession session) {
        if (!(session instanceof ExtendedSSLSession extended)) {
            return Optional.empty();
        }
        return extended.getRequestedServerNames().stream()
                .filter(SNIHostName.class::isInstance)
                .map(name -> ((SNIHostName) name).getAsciiName())
                .findFirst();
    }

    private static Optional<X509Certificate> peerCertificate(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate own ? Optional.of(own) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }
}
