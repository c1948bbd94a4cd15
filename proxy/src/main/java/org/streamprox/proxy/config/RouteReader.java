package org.streamprox.proxy.config;

import static org.streamprox.proxy.config.YamlNode.optional;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.route.ArrivalMatcher;
import org.streamprox.proxy.route.ForwardedHeaders;
import org.streamprox.proxy.route.HeadRewrite;
import org.streamprox.proxy.route.RedirectTemplate;
import org.streamprox.proxy.route.RequestMatcher;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.RuleRouter;
import org.streamprox.proxy.route.Target;

/** Reads {@code routes:}: each route's conditions, target and rewrites, in order. */
final class RouteReader {

    private static final Set<String> ROUTE_KEYS = Set.of("name", "match", "remote", "local", "passthrough",
            "redirect", "connect-timeout", "idle-timeout", "upgraded-idle-timeout", "rewrite", "tls", "proxy-protocol",
            "forwarded-headers");
    private static final List<String> TARGET_KEYS = List.of("remote", "local", "passthrough", "redirect");
    private static final Set<String> REDIRECT_KEYS = Set.of("status", "location");
    /** 308 keeps the method and body, so a redirected POST is not turned into a GET. */
    private static final int DEFAULT_REDIRECT_STATUS = 308;
    private static final List<String> REMOTE_ONLY = List.of("rewrite", "connect-timeout", "idle-timeout",
            "upgraded-idle-timeout", "tls", "proxy-protocol", "forwarded-headers");
    private static final Set<String> MATCH_KEYS = Set.of("path-prefix", "path", "path-regex", "host", "method",
            "header", "tls", "sni", "alpn", "protocol");
    /** The conditions decided on how the connection arrived, before any head: all a passthrough route may have. */
    private static final Set<String> ARRIVAL_MATCHES = Set.of("tls", "sni", "alpn", "protocol");
    /** Protocols routed on their first bytes and tunnelled as they came, apart from names given to regexes. */
    private static final Set<String> TUNNELLED_PROTOCOLS = Set.of("ssh", "h2c");
    private static final String HTTP = "http";
    private static final String TLS = "tls";
    private static final Set<String> HEADER_MATCH_KEYS = Set.of("name", "regex");
    /** The match conditions and rewrites that read header fields. */
    private static final Set<String> HEADER_MATCHES = Set.of("host", "header");
    private static final List<String> HEADER_REWRITES = List.of("set-headers", "replace-headers", "remove-headers");
    private static final Set<String> REWRITE_KEYS = Set.of("set-headers", "replace-headers", "remove-headers",
            "strip-prefix", "replace-prefix");
    private static final Set<String> PREFIX_KEYS = Set.of("from", "to");

    private final Set<String> localApps;
    private final Set<String> namedProtocols;
    private final HeadLimits.Until until;
    private final PoolReader pools;

    /**
     * @param localApps      the names a {@code local:} route may use
     * @param namedProtocols  the names {@code protocols:} gave regular expressions
     * @param until          how much of the head is read: header conditions and rewrites need the header block
     * @param pools          reads each route's remote, and knows the pools {@code upstreams:} named
     */
    RouteReader(Set<String> localApps, Set<String> namedProtocols, HeadLimits.Until until, PoolReader pools) {
        this.localApps = localApps;
        this.namedProtocols = namedProtocols;
        this.until = until;
        this.pools = pools;
    }

    /** The routes in file order; names must be unique, and there must be at least one. */
    RouteTable routes(YamlNode routes) throws ConfigException {
        RouteTable.Builder table = new RouteTable.Builder();
        int index = 0;
        for (YamlNode routeNode : routes.sequence()) {
            route(routeNode, index++, table);
        }
        if (index == 0) {
            throw routes.error("a configuration needs at least one route");
        }
        return table.build();
    }

    private void route(YamlNode routeNode, int index, RouteTable.Builder table) throws ConfigException {
        Map<String, YamlNode> route = routeNode.mapping(ROUTE_KEYS);
        String name = optional(route, "name", YamlNode::nonEmptyString, "route-" + (index + 1));
        if (table.has(name)) {
            throw routeNode.error("route name '" + name + "' is used twice");
        }
        Target target = target(routeNode, name, route);
        YamlNode match = route.get("match");
        Map<String, YamlNode> conditions = match == null ? Map.of() : match.mapping(MATCH_KEYS);
        String protocol = conditions.containsKey("protocol") ? protocol(conditions.get("protocol")) : HTTP;
        if (!protocol.equals(HTTP) && !protocol.equals(TLS)) {
            table.tunnel(protocol, tunnelled(routeNode, name, protocol, target, route, conditions),
                    conditions.get("protocol"));
            return;
        }
        if (protocol.equals(TLS)) {
            target = tlsAsItCame(conditions.get("protocol"), target, route);
        } else if (target instanceof Target.PassThrough && conditions.containsKey("protocol")) {
            throw conditions.get("protocol").error("a passthrough route takes TLS, not HTTP");
        }
        List<String> notHere = switch (target) {
            case Target.Remote remote -> List.of();
            case Target.PassThrough passThrough -> List.of("rewrite", "upgraded-idle-timeout", "tls",
                    "forwarded-headers");
            case Target.Local local -> REMOTE_ONLY;
            case Target.Redirect redirect -> REMOTE_ONLY;
        };
        for (String key : notHere) {
            if (route.containsKey(key)) {
                throw route.get(key).error(switch (target) {
                    case Target.Local local ->
                            "applies to remote routes only; local apps get the connection as the client sent it";
                    case Target.Redirect redirect -> "applies to remote routes only; the engine answers redirects";
                    default -> "does not apply to passthrough routes: their bytes are never decrypted";
                });
            }
        }
        if (target instanceof Target.PassThrough) {
            for (Map.Entry<String, YamlNode> condition : conditions.entrySet()) {
                if (!ARRIVAL_MATCHES.contains(condition.getKey())) {
                    throw condition.getValue().error("a passthrough route is chosen on the ClientHello alone: "
                            + "match it with sni, alpn or tls");
                }
            }
            if (conditions.containsKey("tls") && !conditions.get("tls").bool()) {
                throw conditions.get("tls").error("a passthrough route takes TLS connections only");
            }
        }
        HeadRewrite rewrite = optional(route, "rewrite", this::rewrite, HeadRewrite.NONE)
                .withForwarded(optional(route, "forwarded-headers", this::forwardedHeaders, Set.of()));
        Optional<Duration> upgradedIdle = optional(route, "upgraded-idle-timeout",
                node -> Optional.of(node.duration()), Optional.empty());
        table.rule(new RuleRouter.Rule(arrivalMatcher(conditions), requestMatcher(conditions),
                new Route(name, target, rewrite, idleTimeout(route), upgradedIdle)), match != null);
    }

    private static Optional<Duration> idleTimeout(Map<String, YamlNode> route) throws ConfigException {
        return optional(route, "idle-timeout", node -> Optional.of(node.duration()), Optional.empty());
    }

    /** {@code http}, {@code tls}, {@code ssh}, {@code h2c}, or a name from {@code protocols:}. */
    private String protocol(YamlNode node) throws ConfigException {
        String name = node.nonEmptyString();
        if (!name.equals(HTTP) && !name.equals(TLS) && !TUNNELLED_PROTOCOLS.contains(name)
                && !namedProtocols.contains(name)) {
            throw node.error("unknown protocol '" + name + "': http, tls, ssh, h2c"
                    + (namedProtocols.isEmpty() ? ", or a name given a regex under 'protocols:'"
                            : ", or one of 'protocols:' (" + String.join(", ", namedProtocols) + ")"));
        }
        return name;
    }

    /**
     * A route for a protocol other than HTTP and TLS: chosen on the first bytes alone, and tunnelled as they came to
     * a remote server.
     */
    private static Route tunnelled(YamlNode routeNode, String name, String protocol, Target target,
                                   Map<String, YamlNode> route, Map<String, YamlNode> conditions)
            throws ConfigException {
        if (!(target instanceof Target.Remote)) {
            throw routeNode.error("a " + protocol + " route tunnels the connection as it came: its target is "
                    + "'remote: HOST:PORT'");
        }
        for (Map.Entry<String, YamlNode> condition : conditions.entrySet()) {
            if (!condition.getKey().equals("protocol")) {
                throw condition.getValue().error("a " + protocol + " route is chosen on its first bytes alone");
            }
        }
        for (String key : List.of("rewrite", "upgraded-idle-timeout", "forwarded-headers")) {
            if (route.containsKey(key)) {
                throw route.get(key).error("applies to HTTP routes only; a " + protocol
                        + " connection is tunnelled as it came");
            }
        }
        return new Route(name, target, HeadRewrite.NONE, idleTimeout(route));
    }

    /** {@code protocol: tls} forwards TLS undecrypted, as a passthrough route does. */
    private static Target tlsAsItCame(YamlNode protocol, Target target, Map<String, YamlNode> route)
            throws ConfigException {
        return switch (target) {
            case Target.PassThrough passThrough -> passThrough;
            case Target.Remote remote when route.containsKey("tls") -> throw route.get("tls").error(
                    "a 'protocol: tls' route forwards the client's TLS as it came; to terminate it and speak TLS "
                            + "to the upstream, match with 'tls: true'");
            case Target.Remote remote -> new Target.PassThrough(remote);
            default -> throw protocol.error("a 'protocol: tls' route forwards the client's TLS undecrypted to a "
                    + "remote server; to terminate TLS and route its requests, match with 'tls: true'");
        };
    }

    private Target target(YamlNode routeNode, String name, Map<String, YamlNode> route) throws ConfigException {
        List<String> given = TARGET_KEYS.stream().filter(route::containsKey).toList();
        if (given.size() != 1) {
            throw routeNode.error("a route needs exactly one of 'remote: HOST:PORT', 'local: APP', "
                    + "'passthrough: HOST:PORT' or 'redirect: LOCATION'");
        }
        YamlNode node = route.get(given.get(0));
        return switch (given.get(0)) {
            case "local" -> local(node);
            case "redirect" -> redirect(node);
            case "remote" -> new Target.Remote(pools.remote(name, node, route, true));
            default -> new Target.PassThrough(new Target.Remote(pools.remote(name, node, route, false)));
        };
    }

    private Target.Local local(YamlNode node) throws ConfigException {
        String app = node.nonEmptyString();
        if (!localApps.contains(app)) {
            throw node.error("no local app named '" + app + "'"
                    + (localApps.isEmpty() ? "; there are none" : "; the apps are " + String.join(", ", localApps)));
        }
        return new Target.Local(app);
    }

    /** {@code redirect: LOCATION}, or {@code redirect: {status: 301, location: LOCATION}}. */
    private static Target.Redirect redirect(YamlNode node) throws ConfigException {
        if (node.isScalar()) {
            return new Target.Redirect(DEFAULT_REDIRECT_STATUS, node.parsed(RedirectTemplate::new));
        }
        Map<String, YamlNode> redirect = node.mapping(REDIRECT_KEYS);
        if (!redirect.containsKey("location")) {
            throw node.error("needs 'location'");
        }
        YamlNode status = redirect.get("status");
        int code = status == null ? DEFAULT_REDIRECT_STATUS : status.integer(300, 399);
        if (!Target.Redirect.STATUSES.contains(code)) {
            throw status.error("a redirect status is one of 301, 302, 303, 307, 308");
        }
        return new Target.Redirect(code, redirect.get("location").parsed(RedirectTemplate::new));
    }

    private static ArrivalMatcher arrivalMatcher(Map<String, YamlNode> conditions) throws ConfigException {
        List<ArrivalMatcher> matchers = new ArrayList<>();
        for (Map.Entry<String, YamlNode> entry : conditions.entrySet()) {
            YamlNode value = entry.getValue();
            switch (entry.getKey()) {
                case "tls" -> matchers.add(ArrivalMatcher.tls(value.bool()));
                case "sni" -> matchers.add(ArrivalMatcher.serverName(value.nonEmptyString()));
                case "alpn" -> matchers.add(ArrivalMatcher.protocol(value.nonEmptyString()));
                case "protocol" -> {
                    if (value.string().equals(TLS)) {
                        matchers.add(ArrivalMatcher.tls(true));
                    }
                }
                default -> {
                    // a condition on the head
                }
            }
        }
        return ArrivalMatcher.all(matchers);
    }

    private RequestMatcher requestMatcher(Map<String, YamlNode> conditions) throws ConfigException {
        List<RequestMatcher> matchers = new ArrayList<>();
        for (Map.Entry<String, YamlNode> entry : conditions.entrySet()) {
            YamlNode value = entry.getValue();
            if (HEADER_MATCHES.contains(entry.getKey())) {
                requireHeaderBlock(value);
            }
            switch (entry.getKey()) {
                case "path-prefix" -> matchers.add(RequestMatcher.pathPrefix(value.nonEmptyString()));
                case "path" -> matchers.add(RequestMatcher.path(value.nonEmptyString()));
                case "path-regex" -> matchers.add(RequestMatcher.pathRegex(value.regex()));
                case "host" -> matchers.add(RequestMatcher.host(value.nonEmptyString()));
                case "method" -> matchers.add(RequestMatcher.method(value.nonEmptyString()));
                case "header" -> matchers.add(headerMatcher(value));
                default -> {
                    // a condition on the arrival
                }
            }
        }
        return RequestMatcher.all(matchers);
    }

    private static RequestMatcher headerMatcher(YamlNode node) throws ConfigException {
        Map<String, YamlNode> header = node.mapping(HEADER_MATCH_KEYS);
        if (!header.containsKey("name") || !header.containsKey("regex")) {
            throw node.error("needs both 'name' and 'regex'");
        }
        return RequestMatcher.header(header.get("name").nonEmptyString(), header.get("regex").regex());
    }

    private HeadRewrite rewrite(YamlNode node) throws ConfigException {
        Map<String, YamlNode> rewrite = node.mapping(REWRITE_KEYS);
        Map<String, String> set = rewrite.containsKey("set-headers") ? headerValues(rewrite.get("set-headers")) : Map.of();
        Map<String, String> replace = rewrite.containsKey("replace-headers")
                ? headerValues(rewrite.get("replace-headers")) : Map.of();
        List<String> remove = new ArrayList<>();
        if (rewrite.containsKey("remove-headers")) {
            for (YamlNode nameNode : rewrite.get("remove-headers").sequence()) {
                String name = nameNode.nonEmptyString();
                checkField(nameNode, name, "");
                remove.add(name);
            }
        }
        for (String key : HEADER_REWRITES) {
            if (rewrite.containsKey(key)) {
                requireHeaderBlock(rewrite.get(key));
            }
        }
        if (rewrite.containsKey("strip-prefix") && rewrite.containsKey("replace-prefix")) {
            throw node.error("use strip-prefix or replace-prefix, not both");
        }
        Optional<HeadRewrite.PrefixRewrite> prefix = Optional.empty();
        if (rewrite.containsKey("strip-prefix")) {
            YamlNode strip = rewrite.get("strip-prefix");
            prefix = Optional.of(new HeadRewrite.PrefixRewrite(strip.nonEmptyString(), ""));
        } else if (rewrite.containsKey("replace-prefix")) {
            Map<String, YamlNode> replacePrefix = rewrite.get("replace-prefix").mapping(PREFIX_KEYS);
            if (!replacePrefix.containsKey("from") || !replacePrefix.containsKey("to")) {
                throw rewrite.get("replace-prefix").error("needs both 'from' and 'to'");
            }
            prefix = Optional.of(new HeadRewrite.PrefixRewrite(replacePrefix.get("from").nonEmptyString(),
                    replacePrefix.get("to").string()));
        }
        try {
            return new HeadRewrite(set, replace, remove, prefix);
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    /** {@code x-forwarded}, {@code forwarded}, or both in a list. */
    private Set<ForwardedHeaders> forwardedHeaders(YamlNode node) throws ConfigException {
        requireHeaderBlock(node);
        Set<ForwardedHeaders> kinds = new LinkedHashSet<>();
        for (YamlNode kind : node.isScalar() ? List.of(node) : node.sequence()) {
            kinds.add(kind.parsed(ForwardedHeaders::named));
        }
        return kinds;
    }

    private static Map<String, String> headerValues(YamlNode node) throws ConfigException {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> entry : node.anyMapping().entrySet()) {
            String value = entry.getValue().string();
            checkField(entry.getValue(), entry.getKey(), value);
            values.put(entry.getKey(), value);
        }
        return values;
    }

    /** Checks one header field as a rewrite would write it, so the error points at its own line. */
    private static void checkField(YamlNode node, String name, String value) throws ConfigException {
        try {
            HeadRewrite.checkField(name, value);
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    /** With {@code head.until: request-line} no header field is read, so none can be matched or rewritten. */
    private void requireHeaderBlock(YamlNode node) throws ConfigException {
        if (until == HeadLimits.Until.REQUEST_LINE) {
            throw node.error("needs the header block: set head.until to 'headers'");
        }
    }
}
