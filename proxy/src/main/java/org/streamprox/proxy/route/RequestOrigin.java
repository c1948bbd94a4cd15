package org.streamprox.proxy.route;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.proxy.http.RequestTarget;
import org.streamprox.proxy.net.IpAddresses;

/**
 * Where a request came from, as the variables of a {@link Template} and the forwarded headers tell it upstream.
 *
 * @param client        the client: the peer, or the one a trusted proxy's PROXY header named
 * @param listener      the address the client connected to
 * @param tls           whether the client came over TLS
 * @param serverName    the server name its ClientHello asked for
 * @param route         the name of the route
 * @param trustedClient whether the client is a proxy whose own forwarded headers are kept and added to
 */
public record RequestOrigin(InetSocketAddress client, InetSocketAddress listener, boolean tls,
                            Optional<String> serverName, String route, boolean trustedClient) {

    public RequestOrigin {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(route, "route");
    }

    /** The variable's value for this head; empty where the request says nothing (no host, no server name). */
    public String valueOf(Template.Variable variable, RequestHead head) {
        return switch (variable) {
            case HOST -> head.host().orElse("");
            case PATH -> pathAndQuery(head.target());
            case CLIENT_ADDRESS -> IpAddresses.text(client.getAddress());
            case CLIENT_PORT -> Integer.toString(client.getPort());
            case LISTENER_ADDRESS -> IpAddresses.text(listener.getAddress());
            case LISTENER_PORT -> Integer.toString(listener.getPort());
            case TLS -> tls ? "on" : "off";
            case SNI -> serverName.orElse("");
            case ROUTE -> route;
        };
    }

    /** The origin-form part of a target: what follows the authority of an absolute form, {@code /} when nothing. */
    private static String pathAndQuery(String target) {
        int start = RequestTarget.pathStart(target);
        if (start < 0 || start == target.length()) {
            return "/";
        }
        String rest = target.substring(start);
        return rest.startsWith("/") ? rest : "/" + rest;
    }
}
