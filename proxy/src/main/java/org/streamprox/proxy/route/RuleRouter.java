package org.streamprox.proxy.route;

import java.util.List;
import java.util.Optional;
import org.streamprox.proxy.http.RequestHead;

/** Ordered rules, first match wins: the router the configuration builds. */
public final class RuleRouter implements Router {

    /** A route and the condition its connections must meet. */
    public record Rule(RequestMatcher matcher, Route route) {
    }

    private final List<Rule> rules;

    public RuleRouter(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    @Override
    public Optional<Route> route(RequestHead head) {
        for (Rule rule : rules) {
            if (rule.matcher().matches(head)) {
                return Optional.of(rule.route());
            }
        }
        return Optional.empty();
    }
}
