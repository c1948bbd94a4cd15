package org.streamprox.proxy.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.util.IPAddress;
import org.streamprox.proxy.config.ConfigException;

/**
 * TLS towards an upstream, for routes that re-encrypt: client-side engines speaking TLS 1.3 or 1.2, offering only
 * {@code http/1.1} by ALPN, and checking the upstream's certificate against one name: the configured server name
 * if there is one, else the host connected to. That name is also sent as SNI, unless it is an IP address (which
 * SNI cannot carry; the certificate must then name the address).
 *
 * <p>With {@code verify} false the upstream's certificate is not checked at all: any certificate for any name is
 * accepted, so anyone who can intercept the connection to the upstream can read and change all of its traffic,
 * passwords and cookies included. The connection is encrypted but not authenticated. It is only for upstreams
 * reached over a network trusted as much as the proxy's own machine, and only when configured explicitly.
 */
public final class UpstreamTls {

    private final SSLContext context;
    private final boolean verify;
    private final Optional<String> serverName;

    /**
     * @param verify     whether to check the upstream's certificate (chain and name); false is dangerous, see above
     * @param ca         a PEM file with the certificates to trust instead of the JDK's default trust store
     * @param serverName the name to send as SNI and to check the certificate against, instead of the host
     * @throws ConfigException when the CA file cannot be read or holds no certificate, when a CA is given without
     *                         verification, or when the server name cannot be sent as SNI
     */
    public UpstreamTls(boolean verify, Optional<Path> ca, Optional<String> serverName) throws ConfigException {
        if (!verify && ca.isPresent()) {
            throw new ConfigException("tls: a ca is only used to verify; it has no effect with verify: false");
        }
        if (serverName.isPresent() && !IPAddress.isValid(serverName.get()) && sni(serverName.get()).isEmpty()) {
            throw new ConfigException("tls: '" + serverName.get() + "' cannot be sent as a server name (SNI)");
        }
        this.verify = verify;
        this.serverName = serverName;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers(verify, ca), null);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("this JDK cannot make a TLS context", e);
        }
    }

    /** A client-side engine for one connection to {@code host:port} (an IP address without brackets, or a name). */
    public SSLEngine newEngine(String host, int port) {
        String name = serverName.orElse(host);
        // The JDK checks the certificate against the SNI name and, when that fails, against the engine's peer host;
        // the peer host is the same name so that only it is accepted.
        SSLEngine engine = context.createSSLEngine(name, port);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(TlsPolicy.PROTOCOLS);
        parameters.setServerNames(sni(name));
        parameters.setApplicationProtocols(new String[] {TlsPolicy.HTTP_1_1});
        if (verify) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    /** The SNI for a name: none for an IP address, or for a name SNI cannot carry (one with an underscore, say). */
    private static List<SNIServerName> sni(String name) {
        if (IPAddress.isValid(name)) {
            return List.of();
        }
        try {
            return List.of(new SNIHostName(name));
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /** Null for the JDK's default trust store. */
    private static TrustManager[] trustManagers(boolean verify, Optional<Path> ca)
            throws GeneralSecurityException, IOException, ConfigException {
        if (!verify) {
            return new TrustManager[] {new TrustAnything()};
        }
        if (ca.isEmpty()) {
            return null;
        }
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        List<X509Certificate> certificates = PemFiles.certificates(ca.get());
        for (int i = 0; i < certificates.size(); i++) {
            trusted.setCertificateEntry("ca-" + i, certificates.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        return factory.getTrustManagers();
    }
}
