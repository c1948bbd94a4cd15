package org.streamprox.proxy.route;

import java.util.List;
import java.util.Optional;
import org.streamprox.proxy.tls.ClientHello;

/**
 * One condition on how a connection arrived: in plain or over TLS, and what its ClientHello asked for. It is
 * decided before anything is decrypted, so a route with only such conditions can pass TLS through untouched.
 */
@FunctionalInterface
public interface ArrivalMatcher {

    /** Holds for every connection. */
    ArrivalMatcher ANY = hello -> true;

    /** @param hello the connection's ClientHello; empty for a plain connection */
    boolean matches(Optional<ClientHello> hello);

    /** TLS, or plain. */
    static ArrivalMatcher tls(boolean wanted) {
        return hello -> hello.isPresent() == wanted;
    }

    /**
     * The server name asked for (SNI) is this one, or below a {@code *.example.org} pattern. A hello with no name,
     * or with an encrypted one (ECH, whose outer name is only the provider's), matches no name.
     */
    static ArrivalMatcher serverName(String pattern) {
        HostPattern wanted = new HostPattern(pattern);
        return hello -> hello.filter(h -> !h.encryptedHello()).flatMap(ClientHello::serverName).filter(wanted)
                .isPresent();
    }

    /** The client offered this application protocol (ALPN), for example {@code h2} or {@code http/1.1}. */
    static ArrivalMatcher protocol(String name) {
        return hello -> hello.filter(h -> h.protocols().contains(name)).isPresent();
    }

    static ArrivalMatcher all(List<ArrivalMatcher> matchers) {
        List<ArrivalMatcher> copy = List.copyOf(matchers);
        return copy.isEmpty() ? ANY : hello -> copy.stream().allMatch(matcher -> matcher.matches(hello));
    }
}
