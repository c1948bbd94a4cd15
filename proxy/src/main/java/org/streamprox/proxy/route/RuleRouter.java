package org.streamprox.proxy.route;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.proxy.tls.ClientHello;

/**
 * Ordered rules, first match wins: the router the configuration builds. A TLS connection is decided on its
 * ClientHello at the first rule whose arrival conditions it meets: a passthrough route takes it there; any other
 * means it is terminated and its head routed over the rules that do not pass through. Other protocols have one
 * route each, and a client that says nothing first may have one too.
 */
public final class RuleRouter implements Router {

    /**
     * A route and the conditions its connections must meet.
     *
     * @param arrival conditions on how the connection arrived (TLS, server name, ALPN); a passthrough route has only
     *                these
     * @param request conditions on the first head
     */
    public record Rule(ArrivalMatcher arrival, RequestMatcher request, Route route) {

        /** A rule on the head alone. */
        public Rule(RequestMatcher request, Route route) {
            this(ArrivalMatcher.ANY, request, route);
        }
    }

    private final List<Rule> rules;
    private final Map<String, Route> byProtocol;
    private final Optional<Route> onSilence;

    /** Rules for HTTP and TLS only. */
    public RuleRouter(List<Rule> rules) {
        this(rules, Map.of(), Optional.empty());
    }

    /**
     * @param byProtocol the route for each other protocol ({@code ssh}, {@code h2c}, a regular expression's name)
     * @param onSilence  the route for clients that say nothing first
     */
    public RuleRouter(List<Rule> rules, Map<String, Route> byProtocol, Optional<Route> onSilence) {
        this.rules = List.copyOf(rules);
        this.byProtocol = Map.copyOf(byProtocol);
        this.onSilence = onSilence;
        for (Route route : byProtocol.values()) {
            requireRemote(route);
        }
        onSilence.ifPresent(RuleRouter::requireRemote);
    }

    /** Other protocols are tunnelled as they came: only a remote server can take them. */
    private static void requireRemote(Route route) {
        if (!(route.target() instanceof Target.Remote)) {
            throw new IllegalArgumentException("route '" + route.name() + "' tunnels bytes that are not HTTP: "
                    + "its target must be a remote server, not " + route.target().describe());
        }
    }

    /** The HTTP and TLS rules, in order. */
    public List<Rule> rules() {
        return rules;
    }

    @Override
    public Optional<Route> route(RequestHead head, Optional<ClientHello> hello) {
        for (Rule rule : rules) {
            if (!rule.route().passesThrough() && rule.arrival().matches(hello) && rule.request().matches(head)) {
                return Optional.of(rule.route());
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<Route> passThrough(ClientHello hello) {
        Optional<ClientHello> arrival = Optional.of(hello);
        for (Rule rule : rules) {
            if (rule.arrival().matches(arrival)) {
                return rule.route().passesThrough() ? Optional.of(rule.route()) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<Route> forProtocol(String protocol) {
        return Optional.ofNullable(byProtocol.get(protocol));
    }

    @Override
    public Set<String> protocols() {
        return byProtocol.keySet();
    }

    @Override
    public Optional<Route> onSilence() {
        return onSilence;
    }
}
