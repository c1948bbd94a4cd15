package org.streamprox.proxy.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.streamprox.proxy.observe.AccessLog;
import org.streamprox.proxy.pool.Pool;
import org.streamprox.proxy.route.RuleRouter;

/**
 * A loaded configuration: one or more listeners, each with its settings and its routing rules in order, the admin
 * listener's address, and where it all came from.
 *
 * @param listeners the ports that serve clients
 * @param pools     every pool its routes and {@code upstreams:} have, each once: what the engine starts
 * @param admin     where the admin listener (metrics, health, status page) listens, or empty for none; never a
 *                  listener's address
 * @param source    the file and its document, to show people
 */
public record ProxyConfig(List<Listener> listeners, List<Pool> pools, Optional<InetSocketAddress> admin,
                          LoadedDocument source) {

    /** The admin listener's address when the configuration says nothing: this machine only. */
    public static final InetSocketAddress DEFAULT_ADMIN = new InetSocketAddress("127.0.0.1", 9901);

    /** One listening port and what it does with its connections. */
    public record Listener(ProxySettings settings, RuleRouter router) {

        /** A listener for HTTP and TLS only. */
        public Listener(ProxySettings settings, List<RuleRouter.Rule> rules) {
            this(settings, new RuleRouter(rules));
        }
    }

    public ProxyConfig {
        listeners = List.copyOf(listeners);
        pools = List.copyOf(pools);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("a configuration needs a listener");
        }
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(source, "source");
        Optional<Listener> clash = admin.isPresent() ? listenerSharing(listeners, admin.get()) : Optional.empty();
        if (clash.isPresent()) {
            throw new IllegalArgumentException(adminClash(clash.get()));
        }
    }

    /** Listeners whose pools resolve their names on first use and are never checked: for tests that build one. */
    public ProxyConfig(List<Listener> listeners, Optional<InetSocketAddress> admin, LoadedDocument source) {
        this(listeners, List.of(), admin, source);
    }

    /** The same configuration with the admin listener elsewhere, or none ({@code --admin}). */
    public ProxyConfig withAdmin(Optional<InetSocketAddress> address) {
        return new ProxyConfig(listeners, pools, address, source);
    }

    /**
     * The listener that would take the admin listener's connections: one bound to the same port on the same
     * address, or on every address. Port 0 asks for a port of its own, so it shares with nobody.
     */
    static Optional<Listener> listenerSharing(List<Listener> listeners, InetSocketAddress admin) {
        return listeners.stream().filter(listener -> {
            InetSocketAddress listen = listener.settings().listen();
            return admin.getPort() != 0 && listen.getPort() == admin.getPort()
                    && (listen.getAddress().equals(admin.getAddress()) || listen.getAddress().isAnyLocalAddress()
                            || admin.getAddress().isAnyLocalAddress());
        }).findFirst();
    }

    static String adminClash(Listener listener) {
        return "the admin listener needs an address of its own, not the one a listener serves clients on ("
                + AccessLog.address(listener.settings().listen()) + ")";
    }

    /**
     * The listeners moved to other addresses ({@code --listen}, once per listener), in order; their TLS and routes
     * stay.
     *
     * @throws IllegalArgumentException when the count differs: which listener an address is for would be a guess
     */
    public ProxyConfig listeningOn(List<InetSocketAddress> addresses) {
        if (addresses.size() != listeners.size()) {
            throw new IllegalArgumentException("the configuration has " + listeners.size() + " listener"
                    + (listeners.size() == 1 ? "" : "s") + "; give an address for each, in their order ("
                    + listeners.stream().map(listener -> AccessLog.address(listener.settings().listen()))
                            .collect(Collectors.joining(", ")) + ")");
        }
        List<Listener> moved = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            Listener listener = listeners.get(i);
            moved.add(new Listener(listener.settings().withListen(addresses.get(i)), listener.router()));
        }
        return new ProxyConfig(moved, pools, admin, source);
    }
}
