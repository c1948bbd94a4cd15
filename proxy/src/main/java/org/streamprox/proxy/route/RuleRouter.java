package org.streamprox.proxy.route;

import java.util.List;
import java.util.Optional;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.proxy.tls.ClientHello;

/**
 * Ordered rules, first match wins: the router the configuration builds. A TLS connection is decided on its
 * ClientHello at the first rule whose arrival conditions it meets: a passthrough route takes it there; any other
 * means it is terminated and its head routed over the rules that do not pass through.
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

    public RuleRouter(List<Rule> rules) {
        this.rules = List.copyOf(rules);
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
}
