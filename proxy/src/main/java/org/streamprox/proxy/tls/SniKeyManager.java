package org.streamprox.proxy.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.IntStream;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Lets the JDK's TLS stack pick the server certificate by the name the client asked for (SNI), during the
 * handshake. The JDK asks once per key type the client can take (for each signature scheme in TLS 1.3, each
 * cipher suite in TLS 1.2), in the client's or our order; among the best-matching certificates this answers the
 * first of that key type, or none, so the JDK asks for the next type. An alias is a position in the list.
 */
final class SniKeyManager extends X509ExtendedKeyManager {

    private final List<ServerCertificate> certificates;
    private final CertificateIndex index;

    SniKeyManager(List<ServerCertificate> certificates, CertificateIndex index) {
        this.certificates = certificates;
        this.index = index;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType, engine.getHandshakeSession());
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(keyType, socket instanceof SSLSocket tls ? tls.getHandshakeSession() : null);
    }

    private String choose(String keyType, SSLSession handshake) {
        for (int i : index.candidates(requestedName(handshake))) {
            if (certificates.get(i).keyType().equals(keyType)) {
                return Integer.toString(i);
            }
        }
        return null;
    }

    private static String requestedName(SSLSession handshake) {
        if (handshake instanceof ExtendedSSLSession extended) {
            return extended.getRequestedServerNames().stream()
                    .filter(SNIHostName.class::isInstance)
                    .map(name -> ((SNIHostName) name).getAsciiName())
                    .findFirst().orElse(null);
        }
        return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String[] aliases = IntStream.range(0, certificates.size())
                .filter(i -> certificates.get(i).keyType().equals(keyType))
                .mapToObj(Integer::toString)
                .toArray(String[]::new);
        return aliases.length == 0 ? null : aliases;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        ServerCertificate certificate = byAlias(alias);
        return certificate == null ? null : certificate.chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        ServerCertificate certificate = byAlias(alias);
        return certificate == null ? null : certificate.key();
    }

    private ServerCertificate byAlias(String alias) {
        try {
            int i = Integer.parseInt(alias);
            return i >= 0 && i < certificates.size() ? certificates.get(i) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A server has no client certificates. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return null;
    }
}
