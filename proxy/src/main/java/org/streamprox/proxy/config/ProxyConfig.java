package org.streamprox.proxy.config;

import java.util.List;
import org.streamprox.proxy.route.RuleRouter;

/** A loaded configuration: listener settings and the routing rules in order. */
public record ProxyConfig(ProxySettings settings, List<RuleRouter.Rule> rules) {

    public ProxyConfig {
        rules = List.copyOf(rules);
    }

    public RuleRouter router() {
        return new RuleRouter(rules);
    }

    public ProxyConfig withSettings(ProxySettings newSettings) {
        return new ProxyConfig(newSettings, rules);
    }
}
