package org.streamprox.proxy.route;

import java.util.Optional;
import java.util.Set;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.proxy.tls.ClientHello;

/**
 * Decides where a connection goes. Implement it in Java for routing the configuration cannot express;
 * {@link RuleRouter} is the one built from the configuration. Called a few times per connection at most, on the
 * connection's own virtual thread, so it may block briefly but must be thread-safe.
 */
@FunctionalInterface
public interface Router {

    /**
     * The route for the connection's first head, or empty to answer {@code 404}. Never a passthrough route: this
     * head was read in plain, or decrypted.
     *
     * @param hello the ClientHello of a connection that came over TLS, which the engine terminated; empty for plain
     */
    Optional<Route> route(RequestHead head, Optional<ClientHello> hello);

    /**
     * For a connection that opens with a TLS ClientHello, before anything is decrypted: the passthrough route that
     * takes it as it is, or empty to terminate its TLS here (when the listener has certificates) and route its head.
     */
    default Optional<Route> passThrough(ClientHello hello) {
        return Optional.empty();
    }

    /**
     * For a connection whose first bytes speak another protocol than HTTP or TLS ({@code ssh}, {@code h2c}, or a
     * name the configuration gave a regular expression): the route that tunnels it byte-exact, or empty to close it.
     */
    default Optional<Route> forProtocol(String protocol) {
        return Optional.empty();
    }

    /** The protocols {@link #forProtocol} has routes for: what the engine looks for in the first bytes. */
    default Set<String> protocols() {
        return Set.of();
    }

    /**
     * For a client that has sent nothing within the listener's detect timeout, as clients of server-speaks-first
     * protocols (SMTP, FTP) do: the route that tunnels it, or empty to wait for its head until the head deadline.
     */
    default Optional<Route> onSilence() {
        return Optional.empty();
    }
}
