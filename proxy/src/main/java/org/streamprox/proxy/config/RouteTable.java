package org.streamprox.proxy.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.RuleRouter;

/**
 * A {@code routes:} list as read, before a listener takes it: the HTTP and TLS rules in order, the route for each
 * other protocol, and the names of routes without a {@code match} (which match every request).
 */
record RouteTable(List<RuleRouter.Rule> rules, Map<String, Route> byProtocol, Map<String, Route> byName,
                  Set<String> withoutMatch) {

    /**
     * A listener's router over these routes. The route its {@code on-silence} names serves silent clients; without
     * a {@code match} of its own it serves only them, rather than every request as well.
     */
    RuleRouter router(Optional<YamlNode> onSilence) throws ConfigException {
        if (onSilence.isEmpty()) {
            return new RuleRouter(rules, byProtocol, Optional.empty());
        }
        YamlNode node = onSilence.get();
        String name = node.nonEmptyString();
        Route silent = byName.get(name);
        if (silent == null) {
            throw node.error("no route named '" + name + "'; the routes are " + String.join(", ", byName.keySet()));
        }
        List<RuleRouter.Rule> others = withoutMatch.contains(name)
                ? rules.stream().filter(rule -> rule.route() != silent).toList() : rules;
        try {
            return new RuleRouter(others, byProtocol, Optional.of(silent));
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    /** Collects routes in file order. */
    static final class Builder {

        private final List<RuleRouter.Rule> rules = new ArrayList<>();
        private final Map<String, Route> byProtocol = new LinkedHashMap<>();
        private final Map<String, Route> byName = new LinkedHashMap<>();
        private final Set<String> withoutMatch = new HashSet<>();

        boolean has(String name) {
            return byName.containsKey(name);
        }

        void rule(RuleRouter.Rule rule, boolean matched) {
            rules.add(rule);
            byName.put(rule.route().name(), rule.route());
            if (!matched) {
                withoutMatch.add(rule.route().name());
            }
        }

        /** The first route for a protocol takes all its connections: a second one would never be used. */
        void tunnel(String protocol, Route route, YamlNode protocolNode) throws ConfigException {
            Route first = byProtocol.putIfAbsent(protocol, route);
            if (first != null) {
                throw protocolNode.error("route '" + first.name() + "' already takes every " + protocol
                        + " connection");
            }
            byName.put(route.name(), route);
        }

        RouteTable build() {
            return new RouteTable(List.copyOf(rules), Map.copyOf(byProtocol), Collections.unmodifiableMap(byName),
                    Set.copyOf(withoutMatch));
        }
    }
}
