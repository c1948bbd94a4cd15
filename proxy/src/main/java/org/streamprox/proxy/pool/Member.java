package org.streamprox.proxy.pool;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.streamprox.proxy.net.IpAddresses;

/**
 * One address a pool connects to: a configured server, at one of its name's addresses, with the state kept for
 * that address.
 *
 * @param address resolved; the server's host name stays in {@code server} for TLS and for people
 */
public record Member(Server server, InetSocketAddress address, ServerState state) {

    public Member {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(state, "state");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("a member has an address: " + address);
        }
    }

    /**
     * {@code host:port} as configured when that is the address; else {@code host/address:port}, as the JDK writes
     * a resolved name, so each address of a name is told apart.
     */
    public String name() {
        if (IpAddresses.parse(server.host()).isPresent()) {
            return server.toString();
        }
        String literal = IpAddresses.text(address.getAddress());
        return server.host() + "/" + (literal.indexOf(':') >= 0 ? "[" + literal + "]" : literal) + ":" + server.port();
    }

    @Override
    public String toString() {
        return name();
    }
}
