package org.streamprox.proxy.route;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The servers of a remote route, one or several, taken in turn: each new connection starts at the next server
 * (round-robin), shared by every connection of the route. Equal when the servers are, whatever the turn.
 */
public final class Servers {

    /** One server, as the configuration names it: a host name or address, and a port. */
    public record Server(String host, int port) {

        public Server {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        /** {@code host:port}, as the access log has always shown a remote. */
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private final List<Server> list;
    private final AtomicInteger turn = new AtomicInteger();

    private Servers(List<Server> list) {
        this.list = List.copyOf(list);
        if (this.list.isEmpty()) {
            throw new IllegalArgumentException("a remote route needs at least one server");
        }
        if (this.list.stream().distinct().count() != this.list.size()) {
            throw new IllegalArgumentException("a server is listed twice: " + this.list);
        }
    }

    /** One server. */
    public static Servers of(String host, int port) {
        return new Servers(List.of(new Server(host, port)));
    }

    /** Several, at least one and none twice, in the order they take turns. */
    public static Servers of(List<Server> servers) {
        return new Servers(servers);
    }

    public int size() {
        return list.size();
    }

    /** The server at {@code index}, counted round from {@link #next()}'s start: any index is taken modulo the size. */
    public Server get(int index) {
        return list.get(index % list.size());
    }

    /** Where the next connection starts; a single server needs no turn, so nothing shared is touched for it. */
    public int next() {
        return list.size() == 1 ? 0 : Math.floorMod(turn.getAndIncrement(), list.size());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Servers servers && servers.list.equals(list);
    }

    @Override
    public int hashCode() {
        return list.hashCode();
    }

    /** {@code host:port}, or several joined by commas (no spaces: the access log's target is one field). */
    @Override
    public String toString() {
        if (list.size() == 1) {
            return list.get(0).toString();
        }
        StringBuilder out = new StringBuilder();
        for (Server server : list) {
            out.append(out.isEmpty() ? "" : ",").append(server);
        }
        return out.toString();
    }
}
