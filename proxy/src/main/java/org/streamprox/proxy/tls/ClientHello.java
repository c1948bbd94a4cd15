package org.streamprox.proxy.tls;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What routing needs from a client's first TLS handshake message, read without decrypting anything.
 *
 * @param serverName     the server_name extension's host name, lower-case; empty when the client sent none
 * @param protocols      the ALPN protocol names in the client's order of preference; empty without ALPN
 * @param encryptedHello whether the client offered Encrypted Client Hello: then the real name is encrypted and
 *                       {@code serverName} is only the outer, public one, which routing treats as no name
 */
public record ClientHello(Optional<String> serverName, List<String> protocols, boolean encryptedHello) {

    public ClientHello {
        Objects.requireNonNull(serverName, "serverName");
        protocols = List.copyOf(protocols);
    }
}
