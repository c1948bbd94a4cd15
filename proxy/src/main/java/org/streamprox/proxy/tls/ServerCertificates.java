package org.streamprox.proxy.tls;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.streamprox.proxy.config.ConfigException;

/**
 * The certificates a TLS listener serves, loaded once, and the server-side TLS engines that present them.
 *
 * <p>The certificate for a connection is chosen during the handshake by the name the client asks for (SNI): a
 * certificate naming it exactly, else one whose {@code *.} wildcard covers it, else the default, the first
 * configured. ECDSA and RSA certificates may serve the same names; each client gets one of a type it can take.
 */
public final class ServerCertificates {

    static {
        // A TLS 1.2 client asking to renegotiate costs the server a handshake each time, for nothing a proxy needs
        // (HAProxy refuses it too). The JDK has no per-engine switch, only this property, read before the first
        // server handshake; an operator's own setting stands.
        if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null) {
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        }
    }

    private final SSLContext context;
    private final CertificateIndex index;
    private final String[] cipherSuites;

    private ServerCertificates(List<ServerCertificate> certificates) {
        index = new CertificateIndex(certificates);
        try {
            context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new SniKeyManager(certificates, index)}, null, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make a TLS context", e);
        }
        List<String> supported = List.of(context.getSupportedSSLParameters().getCipherSuites());
        cipherSuites = TlsPolicy.SERVER_CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new);
    }

    /**
     * Reads or makes every certificate.
     *
     * @param sources at least one; the first is the default
     * @throws ConfigException naming the file, when one cannot be read, holds no certificate or key, the key does
     *                         not match, or a password is wrong; an expired certificate is only logged as a warning
     */
    public static ServerCertificates load(List<CertificateSource> sources) throws ConfigException {
        if (sources.isEmpty()) {
            throw new ConfigException("TLS needs at least one certificate");
        }
        List<ServerCertificate> certificates = new ArrayList<>();
        for (CertificateSource source : sources) {
            certificates.add(switch (source) {
                case CertificateSource.Pem pem -> fromPem(pem);
                case CertificateSource.Pkcs12 pkcs12 -> Pkcs12Certificate.load(pkcs12.file(), pkcs12.password());
                case CertificateSource.SelfSigned selfSigned -> SelfSignedCertificate.generate(selfSigned.names());
            });
        }
        return new ServerCertificates(certificates);
    }

    private static ServerCertificate fromPem(CertificateSource.Pem pem) throws ConfigException {
        List<X509Certificate> chain = PemFiles.certificates(pem.chain());
        return ServerCertificate.of(pem.chain().toString(), pem.key().toString(), PemFiles.privateKey(pem.key()),
                chain);
    }

    /**
     * A server-side engine for one connection: TLS 1.3 and 1.2 only, our cipher-suite order, and ALPN answering
     * {@code http/1.1} when the client offers it and nothing otherwise (never {@code h2}, and no refusal either).
     */
    public SSLEngine newEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(TlsPolicy.PROTOCOLS);
        parameters.setCipherSuites(cipherSuites);
        parameters.setUseCipherSuitesOrder(true);
        engine.setSSLParameters(parameters);
        // A selector rather than SSLParameters.setApplicationProtocols: with that, the JDK answers a client that
        // offers only h2 with a fatal no_application_protocol alert, where no ALPN lets it go on (RFC 7301).
        engine.setHandshakeApplicationProtocolSelector((unused, offered) ->
                offered.contains(TlsPolicy.HTTP_1_1) ? TlsPolicy.HTTP_1_1 : "");
        return engine;
    }

    /** Whether a certificate names this server name, exactly or by a wildcard: the default does not count. */
    public boolean hasCertificateFor(String serverName) {
        return index.covers(serverName);
    }
}
