package org.streamprox.proxy.tls;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.streamprox.proxy.config.ConfigException;

/**
 * Reads certificates and unencrypted private keys from PEM files with Bouncy Castle's parser, which skips any text
 * between the blocks (as CA bundles have) and ignores blocks of other kinds, so a key and its chain may share a file.
 */
final class PemFiles {

    private PemFiles() {
    }

    /** Every certificate in the file, in file order; at least one. */
    static List<X509Certificate> certificates(Path file) throws ConfigException {
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<X509Certificate> certificates = new ArrayList<>();
        for (Object block : blocks(file)) {
            if (block instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new ConfigException(file + ": certificate " + (certificates.size() + 1)
                            + " cannot be read: " + e.getMessage());
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new ConfigException(file + ": no certificate in it (a PEM file with -----BEGIN CERTIFICATE----- "
                    + "is expected)");
        }
        return certificates;
    }

    /** The first private key in the file: PKCS#8, PKCS#1 (RSA) or SEC1 (EC). */
    static PrivateKey privateKey(Path file) throws ConfigException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object block : blocks(file)) {
            try {
                switch (block) {
                    case PrivateKeyInfo pkcs8 -> {
                        return converter.getPrivateKey(pkcs8);
                    }
                    case PEMKeyPair traditional -> {
                        return converter.getKeyPair(traditional).getPrivate();
                    }
                    case PKCS8EncryptedPrivateKeyInfo pkcs8 -> throw encryptedKey(file);
                    case PEMEncryptedKeyPair traditional -> throw encryptedKey(file);
                    default -> {
                        // a certificate, or the EC PARAMETERS block openssl writes before an EC key
                    }
                }
            } catch (IOException e) {
                throw new ConfigException(file + ": the private key cannot be read: " + e.getMessage());
            }
        }
        throw new ConfigException(file + ": no private key in it (a PEM file with -----BEGIN PRIVATE KEY-----, "
                + "RSA PRIVATE KEY or EC PRIVATE KEY is expected)");
    }

    private static ConfigException encryptedKey(Path file) {
        return new ConfigException(file + ": the private key is encrypted; StreamProx reads unencrypted keys "
                + "(openssl pkey -in KEY -out PLAIN-KEY decrypts one)");
    }

    private static List<Object> blocks(Path file) throws ConfigException {
        // ISO-8859-1 decodes any bytes, so a DER file given by mistake is reported as holding no PEM block.
        String text = new String(TlsFiles.read(file), StandardCharsets.ISO_8859_1);
        List<Object> blocks = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                blocks.add(block);
            }
        } catch (IOException e) {
            throw new ConfigException(file + ": not a valid PEM file: " + e.getMessage());
        }
        return blocks;
    }
}
