package org.streamprox.proxy.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.streamprox.proxy.observe.AccessLog;
import org.streamprox.proxy.route.RuleRouter;

/** A loaded configuration: one or more listeners, each with its settings and its routing rules in order. */
public record ProxyConfig(List<Listener> listeners) {

    /** One listening port and what it does with its connections. */
    public record Listener(ProxySettings settings, RuleRouter router) {

        /** A listener for HTTP and TLS only. */
        public Listener(ProxySettings settings, List<RuleRouter.Rule> rules) {
            this(settings, new RuleRouter(rules));
        }
    }

    public ProxyConfig {
        listeners = List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("a configuration needs a listener");
        }
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
        return new ProxyConfig(moved);
    }
}
