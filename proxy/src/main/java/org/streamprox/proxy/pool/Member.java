package org.streamprox.proxy.pool;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.streamprox.proxy.net.IpAddresses;

/**
 * One address a pool connects to: a configured server, at one of its name's addresses, with the state kept for
 * that address. Its name is worked out once: the access log writes it for every connection.
 */
public final class Member {

    private final Server server;
    private final InetSocketAddress address;
    private final ServerState state;
    private final String name;

    /** @param address resolved; the server's host name stays in {@code server} for TLS and for people */
    public Member(Server server, InetSocketAddress address, ServerState state) {
        this.server = Objects.requireNonNull(server, "server");
        this.address = Objects.requireNonNull(address, "address");
        this.state = Objects.requireNonNull(state, "state");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("a member has an address: " + address);
        }
        this.name = name(server, address);
    }

    /**
     * {@code host:port} as configured when that is the address; else {@code host/address:port}, as the JDK writes
     * a resolved name, so each address of a name is told apart.
     */
    private static String name(Server server, InetSocketAddress address) {
        if (IpAddresses.parse(server.host()).isPresent()) {
            return server.toString();
        }
        String literal = IpAddresses.text(address.getAddress());
        return server.host() + "/" + (literal.indexOf(':') >= 0 ? "[" + literal + "]" : literal) + ":" + server.port();
    }

    public Server server() {
        return server;
    }

    public InetSocketAddress address() {
        return address;
    }

    public ServerState state() {
        return state;
    }

    /** {@code 127.0.0.1:9001}, or {@code web.internal/127.0.0.5:80} for a server known by name. */
    public String name() {
        return name;
    }

    /** The same server at the same address with the same state. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Member member && member.server.equals(server) && member.address.equals(address)
                && member.state == state;
    }

    @Override
    public int hashCode() {
        return Objects.hash(server, address, System.identityHashCode(state));
    }

    @Override
    public String toString() {
        return name;
    }
}
