package org.streamprox.proxy.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.route.HeadRewrite;
import org.streamprox.proxy.route.RequestMatcher;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.RuleRouter;
import org.streamprox.proxy.route.Target;
import org.streamprox.proxy.upstream.TunnelSettings;

/**
 * Reads the YAML configuration. Strict: an unknown key, a value of the wrong type, a bad address or regex, or a
 * CR or LF in a rewritten value stops loading with a message naming the file, the line and the field. The
 * format is documented in docs/configuration.md.
 */
public final class ConfigLoader {

    private static final Set<String> TOP_KEYS = Set.of("listen", "head", "max-connections",
            "max-connections-per-client", "copy-buffer-size", "half-close-timeout", "drain-timeout", "routes");
    private static final Set<String> HEAD_KEYS = Set.of("until", "max-bytes", "max-reads", "max-headers", "timeout");
    private static final Set<String> ROUTE_KEYS = Set.of("name", "match", "remote", "local", "connect-timeout",
            "idle-timeout", "upgraded-idle-timeout", "rewrite");
    private static final Set<String> MATCH_KEYS = Set.of("path-prefix", "path", "path-regex", "host", "method",
            "header");
    private static final Set<String> HEADER_MATCH_KEYS = Set.of("name", "regex");
    /** The match conditions and rewrites that read header fields. */
    private static final Set<String> HEADER_MATCHES = Set.of("host", "header");
    private static final List<String> HEADER_REWRITES = List.of("set-headers", "replace-headers", "remove-headers");
    private static final Set<String> REWRITE_KEYS = Set.of("set-headers", "replace-headers", "remove-headers",
            "strip-prefix", "replace-prefix");
    private static final Set<String> PREFIX_KEYS = Set.of("from", "to");

    private final Set<String> localApps;

    /** @param localApps the names a {@code local:} route may use: the apps registered, in order */
    public ConfigLoader(Set<String> localApps) {
        this.localApps = localApps;
    }

    public ProxyConfig load(Path file) throws ConfigException {
        try {
            return load(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + e.getMessage());
        }
    }

    public ProxyConfig load(InputStream in, String source) throws ConfigException {
        try {
            return load(new String(in.readAllBytes(), StandardCharsets.UTF_8), source);
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot be read: " + e.getMessage());
        }
    }

    /** @param source names the text in messages, usually its file name */
    public ProxyConfig load(String yaml, String source) throws ConfigException {
        Node root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(source).build()).composeString(yaml)
                    .orElseThrow(() -> new ConfigException(source + ": the configuration is empty"));
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(mark -> mark.getLine() + 1).orElse(0);
            throw new ConfigException(source + ":" + line + ": not valid YAML: " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getMessage());
        }
        return config(new YamlNode(root, source, ""));
    }

    /** Reads a {@code HOST:PORT} to listen on, as {@code listen:} and {@code --listen} take it. */
    public static InetSocketAddress listenAddress(String text) {
        HostPort address = HostPort.parse(text);
        InetSocketAddress resolved = new InetSocketAddress(address.host(), address.port());
        if (resolved.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve '" + address.host() + "' to listen on");
        }
        return resolved;
    }

    private ProxyConfig config(YamlNode root) throws ConfigException {
        Map<String, YamlNode> top = root.mapping(TOP_KEYS);
        InetSocketAddress listen = optional(top, "listen", node -> parse(node, ConfigLoader::listenAddress),
                new InetSocketAddress("0.0.0.0", 8080));
        HeadLimits head = optional(top, "head", ConfigLoader::head, HeadLimits.defaults());
        int maxConnections = optional(top, "max-connections", node -> node.integer(1, ConnectionLimits.MAX_CONNECTIONS),
                ConnectionLimits.DEFAULT_MAX_CONNECTIONS);
        ConnectionLimits connections = new ConnectionLimits(maxConnections,
                optional(top, "max-connections-per-client", node -> node.integer(0, ConnectionLimits.MAX_CONNECTIONS),
                        ConnectionLimits.defaultPerClient(maxConnections)));
        TunnelSettings tunnel = new TunnelSettings(
                optional(top, "copy-buffer-size", node -> node.integer(TunnelSettings.MIN_COPY_BUFFER_SIZE,
                        TunnelSettings.MAX_COPY_BUFFER_SIZE), TunnelSettings.DEFAULT_COPY_BUFFER_SIZE),
                optional(top, "half-close-timeout", YamlNode::duration, TunnelSettings.DEFAULT_HALF_CLOSE_TIMEOUT));
        Duration drain = optional(top, "drain-timeout", YamlNode::duration, ProxySettings.DEFAULT_DRAIN_TIMEOUT);
        YamlNode routes = top.get("routes");
        if (routes == null) {
            throw root.error("routes: missing; a configuration needs at least one route");
        }
        List<RuleRouter.Rule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (YamlNode routeNode : routes.sequence()) {
            RuleRouter.Rule rule = rule(routeNode, rules.size(), head.until());
            if (!names.add(rule.route().name())) {
                throw routeNode.error("route name '" + rule.route().name() + "' is used twice");
            }
            rules.add(rule);
        }
        if (rules.isEmpty()) {
            throw routes.error("a configuration needs at least one route");
        }
        return new ProxyConfig(new ProxySettings(listen, head, connections, tunnel, drain), rules);
    }

    private static HeadLimits head(YamlNode node) throws ConfigException {
        Map<String, YamlNode> head = node.mapping(HEAD_KEYS);
        HeadLimits.Until until = optional(head, "until", ConfigLoader::until, HeadLimits.Until.HEADERS);
        return new HeadLimits(until,
                optional(head, "max-bytes", n -> n.integer(HeadLimits.MIN_MAX_BYTES, HeadLimits.MAX_MAX_BYTES),
                        HeadLimits.DEFAULT_MAX_BYTES),
                optional(head, "max-reads", n -> n.integer(1, Integer.MAX_VALUE), HeadLimits.DEFAULT_MAX_READS),
                optional(head, "timeout", YamlNode::duration, HeadLimits.DEFAULT_TIMEOUT),
                optional(head, "max-headers", n -> n.integer(1, HeadLimits.MAX_MAX_HEADERS),
                        HeadLimits.DEFAULT_MAX_HEADERS));
    }

    private static HeadLimits.Until until(YamlNode node) throws ConfigException {
        return switch (node.string()) {
            case "headers" -> HeadLimits.Until.HEADERS;
            case "request-line" -> HeadLimits.Until.REQUEST_LINE;
            default -> throw node.error("expected 'headers' or 'request-line'");
        };
    }

    private RuleRouter.Rule rule(YamlNode routeNode, int index, HeadLimits.Until until) throws ConfigException {
        Map<String, YamlNode> route = routeNode.mapping(ROUTE_KEYS);
        String name = optional(route, "name", YamlNode::nonEmptyString, "route-" + (index + 1));
        RequestMatcher matcher = optional(route, "match", node -> matcher(node, until), RequestMatcher.all(List.of()));
        Target target = target(routeNode, route);
        for (String remoteOnly : List.of("rewrite", "connect-timeout", "idle-timeout", "upgraded-idle-timeout")) {
            if (target instanceof Target.Local && route.containsKey(remoteOnly)) {
                throw route.get(remoteOnly).error("applies to remote routes only; local apps get the connection "
                        + "as the client sent it");
            }
        }
        HeadRewrite rewrite = optional(route, "rewrite", node -> rewrite(node, until), HeadRewrite.NONE);
        Optional<Duration> idle = optional(route, "idle-timeout", node -> Optional.of(node.duration()),
                Optional.empty());
        Optional<Duration> upgradedIdle = optional(route, "upgraded-idle-timeout",
                node -> Optional.of(node.duration()), Optional.empty());
        return new RuleRouter.Rule(matcher, new Route(name, target, rewrite, idle, upgradedIdle));
    }

    private Target target(YamlNode routeNode, Map<String, YamlNode> route) throws ConfigException {
        YamlNode remote = route.get("remote");
        YamlNode local = route.get("local");
        if ((remote == null) == (local == null)) {
            throw routeNode.error("a route needs exactly one of 'remote: HOST:PORT' or 'local: APP'");
        }
        if (local != null) {
            String app = local.nonEmptyString();
            if (!localApps.contains(app)) {
                throw local.error("no local app named '" + app + "'"
                        + (localApps.isEmpty() ? "; there are none" : "; the apps are " + String.join(", ", localApps)));
            }
            return new Target.Local(app);
        }
        HostPort address = parse(remote, HostPort::parse);
        if (address.port() == 0) {
            throw remote.error("port 0 cannot be connected to");
        }
        Duration connectTimeout = route.containsKey("connect-timeout")
                ? route.get("connect-timeout").duration() : Target.Remote.DEFAULT_CONNECT_TIMEOUT;
        return new Target.Remote(address.host(), address.port(), connectTimeout);
    }

    private static RequestMatcher matcher(YamlNode node, HeadLimits.Until until) throws ConfigException {
        List<RequestMatcher> conditions = new ArrayList<>();
        for (Map.Entry<String, YamlNode> entry : node.mapping(MATCH_KEYS).entrySet()) {
            YamlNode value = entry.getValue();
            if (HEADER_MATCHES.contains(entry.getKey())) {
                requireHeaderBlock(value, until);
            }
            conditions.add(switch (entry.getKey()) {
                case "path-prefix" -> RequestMatcher.pathPrefix(value.nonEmptyString());
                case "path" -> RequestMatcher.path(value.nonEmptyString());
                case "path-regex" -> RequestMatcher.pathRegex(value.regex());
                case "host" -> RequestMatcher.host(value.nonEmptyString());
                case "method" -> RequestMatcher.method(value.nonEmptyString());
                default -> headerMatcher(value);
            });
        }
        return RequestMatcher.all(conditions);
    }

    private static RequestMatcher headerMatcher(YamlNode node) throws ConfigException {
        Map<String, YamlNode> header = node.mapping(HEADER_MATCH_KEYS);
        if (!header.containsKey("name") || !header.containsKey("regex")) {
            throw node.error("needs both 'name' and 'regex'");
        }
        return RequestMatcher.header(header.get("name").nonEmptyString(), header.get("regex").regex());
    }

    private static HeadRewrite rewrite(YamlNode node, HeadLimits.Until until) throws ConfigException {
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
                requireHeaderBlock(rewrite.get(key), until);
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
    private static void requireHeaderBlock(YamlNode node, HeadLimits.Until until) throws ConfigException {
        if (until == HeadLimits.Until.REQUEST_LINE) {
            throw node.error("needs the header block: set head.until to 'headers'");
        }
    }

    private interface Reader<T> {
        T read(YamlNode node) throws ConfigException;
    }

    /** The value under {@code key} read by {@code reader}, or {@code fallback} when the key is absent. */
    private static <T> T optional(Map<String, YamlNode> map, String key, Reader<T> reader, T fallback)
            throws ConfigException {
        YamlNode node = map.get(key);
        return node == null ? fallback : reader.read(node);
    }

    private interface Parser<T> {
        T parse(String text);
    }

    private static <T> T parse(YamlNode node, Parser<T> parser) throws ConfigException {
        try {
            return parser.parse(node.string());
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }
}
