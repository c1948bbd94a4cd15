package org.streamprox.proxy.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.config.ConfigException;

/**
 * A private key with its certificate chain (the server's own certificate first) and the names that certificate is
 * for: its DNS subject alternative names, or its common name when it has none, as clients check them (RFC 6125).
 */
record ServerCertificate(PrivateKey key, List<X509Certificate> chain, List<String> names) {

    private static final Logger LOG = LoggerFactory.getLogger(ServerCertificate.class);
    private static final int DNS_NAME = 2;

    X509Certificate leaf() {
        return chain.getFirst();
    }

    /** The key algorithm as the JDK's TLS stack asks for it when choosing a certificate: "EC" or "RSA". */
    String keyType() {
        return leaf().getPublicKey().getAlgorithm();
    }

    /**
     * Checks that the key belongs to the first certificate and warns about a certificate out of its validity period
     * (clients will refuse it, but it is the operator's to renew and should not stop start-up).
     *
     * @param certFile names the chain in messages
     * @param keyFile  names the key in messages; the same as certFile when one file holds both
     */
    static ServerCertificate of(String certFile, String keyFile, PrivateKey key, List<X509Certificate> chain)
            throws ConfigException {
        X509Certificate leaf = chain.getFirst();
        String signature = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> throw new ConfigException(keyFile + ": the private key is of type " + key.getAlgorithm()
                    + "; StreamProx serves RSA and EC keys");
        };
        if (!signsFor(key, leaf.getPublicKey(), signature)) {
            throw new ConfigException(keyFile.equals(certFile)
                    ? certFile + ": the private key does not match the certificate"
                    : keyFile + ": the private key does not match the first certificate in " + certFile
                            + " (the chain must start with the server's own certificate)");
        }
        List<String> names = names(certFile, leaf);
        try {
            leaf.checkValidity();
        } catch (CertificateExpiredException e) {
            LOG.warn("{}: the certificate for {} expired on {}; clients will refuse it", certFile, names,
                    leaf.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            LOG.warn("{}: the certificate for {} is not valid before {}; clients will refuse it until then", certFile,
                    names, leaf.getNotBefore().toInstant());
        }
        return new ServerCertificate(key, List.copyOf(chain), names);
    }

    /** Whether a signature made with the private key verifies with the public one: they are a pair. */
    private static boolean signsFor(PrivateKey key, PublicKey publicKey, String algorithm) {
        byte[] probe = "StreamProx key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signed = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signed);
        } catch (GeneralSecurityException e) {
            // An EC certificate with an RSA key, say: the public key does not fit the algorithm at all.
            return false;
        }
    }

    private static List<String> names(String certFile, X509Certificate leaf) throws ConfigException {
        Collection<List<?>> alternativeNames;
        try {
            alternativeNames = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new ConfigException(certFile + ": the subject alternative names cannot be read: " + e.getMessage());
        }
        List<String> dnsNames = alternativeNames == null ? List.of() : alternativeNames.stream()
                .filter(name -> name.get(0).equals(DNS_NAME))
                .map(name -> (String) name.get(1))
                .toList();
        if (!dnsNames.isEmpty()) {
            return dnsNames;
        }
        return Arrays.stream(X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN))
                .map(commonName -> IETFUtils.valueToString(commonName.getFirst().getValue()))
                .toList();
    }
}
