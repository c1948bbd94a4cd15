package org.streamprox.proxy.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.config.ConfigException;

/**
 * Makes a certificate at start-up for a few names, with a new ECDSA P-256 key: a server certificate (not a CA)
 * naming each of them in its subject alternative names, valid from an hour ago (for clients whose clocks lag) for a
 * year.
 */
final class SelfSignedCertificate {

    private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificate.class);
    private static final Pattern HOST_NAME = Pattern.compile("(\\*\\.)?[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*");
    private static final Duration BACKDATED = Duration.ofHours(1);
    private static final Duration VALIDITY = Duration.ofDays(365);

    private SelfSignedCertificate() {
    }

    static ServerCertificate generate(List<String> names) throws ConfigException {
        if (names.isEmpty()) {
            throw new ConfigException("self-signed: needs at least one name, such as localhost");
        }
        GeneralName[] alternativeNames = new GeneralName[names.size()];
        for (int i = 0; i < alternativeNames.length; i++) {
            alternativeNames[i] = alternativeName(names.get(i));
        }
        String source = "self-signed " + names;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, names.getFirst()).build();
            Instant now = Instant.now();
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    new JcaX509v3CertificateBuilder(subject, serialNumber(), Date.from(now.minus(BACKDATED)),
                            Date.from(now.plus(VALIDITY)), subject, pair.getPublic())
                            .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternativeNames))
                            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                            .addExtension(Extension.extendedKeyUsage, false,
                                    new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            LOG.info("{}: made a certificate, SHA-256 fingerprint {}", source,
                    HexFormat.ofDelimiter(":").withUpperCase().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded())));
            return ServerCertificate.of(source, source, pair.getPrivate(), List.of(certificate));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("making a self-signed certificate failed", e);
        }
    }

    private static GeneralName alternativeName(String name) throws ConfigException {
        if (IPAddress.isValid(name)) {
            return new GeneralName(GeneralName.iPAddress, name);
        }
        if (HOST_NAME.matcher(name).matches()) {
            return new GeneralName(GeneralName.dNSName, name);
        }
        throw new ConfigException("self-signed: '" + name + "' is neither a host name nor an IP address");
    }

    /**
     * A random serial: browsers remember certificates by issuer and serial number and refuse a new one that reuses
     * both, which a fixed serial would after every restart.
     */
    private static BigInteger serialNumber() {
        return new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
    }
}
