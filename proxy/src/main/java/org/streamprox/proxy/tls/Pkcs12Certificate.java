package org.streamprox.proxy.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.streamprox.proxy.config.ConfigException;

/** Reads a server certificate from a PKCS#12 file holding exactly one private key and its chain. */
final class Pkcs12Certificate {

    private Pkcs12Certificate() {
    }

    static ServerCertificate load(Path file, String password) throws ConfigException {
        char[] secret = password.toCharArray();
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try {
                store.load(new ByteArrayInputStream(TlsFiles.read(file)), secret);
            } catch (IOException e) {
                // The JDK reports a wrong password as an IOException caused by an UnrecoverableKeyException.
                throw new ConfigException(file + (e.getCause() instanceof UnrecoverableKeyException
                        ? ": wrong password" : ": not a PKCS#12 file: " + e.getMessage()));
            }
            String alias = onlyKeyAlias(file, store);
            PrivateKey key;
            try {
                key = (PrivateKey) store.getKey(alias, secret);
            } catch (UnrecoverableKeyException e) {
                throw new ConfigException(file + ": the private key has a password other than the file's; "
                        + "StreamProx needs one password for both");
            }
            Certificate[] chain = store.getCertificateChain(alias);
            if (chain == null || chain.length == 0) {
                throw new ConfigException(file + ": no certificate for the private key");
            }
            List<X509Certificate> x509Chain = Arrays.stream(chain).map(X509Certificate.class::cast).toList();
            return ServerCertificate.of(file.toString(), file.toString(), key, x509Chain);
        } catch (GeneralSecurityException e) {
            throw new ConfigException(file + ": not a usable PKCS#12 file: " + e.getMessage());
        }
    }

    private static String onlyKeyAlias(Path file, KeyStore store) throws GeneralSecurityException, ConfigException {
        List<String> keys = new ArrayList<>();
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                keys.add(alias);
            }
        }
        if (keys.size() != 1) {
            throw new ConfigException(file + ": holds " + keys.size() + " private keys; StreamProx needs exactly one");
        }
        return keys.getFirst();
    }
}
