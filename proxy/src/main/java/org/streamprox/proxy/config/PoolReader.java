package org.streamprox.proxy.config;

import static org.streamprox.proxy.config.YamlNode.optional;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.streamprox.proxy.pool.HealthCheck;
import org.streamprox.proxy.pool.PassiveCheck;
import org.streamprox.proxy.pool.Policy;
import org.streamprox.proxy.pool.Pool;
import org.streamprox.proxy.pool.PoolSpec;
import org.streamprox.proxy.pool.Resolution;
import org.streamprox.proxy.pool.Retries;
import org.streamprox.proxy.pool.Server;
import org.streamprox.proxy.proxyprotocol.ProxyProtocolVersion;
import org.streamprox.proxy.tls.UpstreamTls;

/**
 * Reads pools: the {@code upstreams:} section, each entry a named pool routes share, and a route's own
 * {@code remote:} in any of its forms. Every pool read is kept, in order, for the engine to start.
 */
final class PoolReader {

    /** The keys of a pool written out, under {@code upstreams:} or as a route's {@code remote:}. */
    static final Set<String> POOL_KEYS = Set.of("servers", "policy", "tries", "connect-timeout", "connect-budget",
            "tls", "proxy-protocol", "health-check", "passive", "slow-start", "resolve", "resolve-interval");
    /** What a route may say of its own pool when it writes only servers: a name, or a list. */
    static final List<String> ROUTE_POOL_KEYS = List.of("connect-timeout", "tls", "proxy-protocol");
    private static final Set<String> SERVER_KEYS = Set.of("address", "weight", "backup");
    private static final Set<String> CHECK_KEYS = Set.of("type", "path", "host", "expect-status", "interval",
            "timeout", "rise", "fall");
    private static final Set<String> PASSIVE_KEYS = Set.of("max-failures", "cool-down");
    private static final Set<String> UPSTREAM_TLS_KEYS = Set.of("verify", "ca", "sni");
    /** {@code remote: https://HOST[:PORT]}: TLS to the upstream with the defaults, port 443 unless given. */
    private static final String HTTPS = "https://";
    private static final int HTTPS_PORT = 443;
    private static final int MAX_TRIES = 100;
    private static final int MAX_COUNT = 100;

    private final Path base;
    private final Map<String, Pool> named = new LinkedHashMap<>();
    private final List<Pool> all = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    /** @param base where relative file names (an upstream's CA) start from */
    PoolReader(Path base) {
        this.base = base;
    }

    /** Every pool read so far, named ones first, each once. */
    List<Pool> pools() {
        return List.copyOf(all);
    }

    /** {@code upstreams: {NAME: {servers: [...], ...}}}. */
    void upstreams(YamlNode node) throws ConfigException {
        for (Map.Entry<String, YamlNode> entry : node.anyMapping().entrySet()) {
            String name = entry.getKey();
            if (name.isEmpty() || name.contains(":") || name.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                throw entry.getValue().error("an upstream's name is a word without ':' or spaces, not '" + name + "'");
            }
            Map<String, YamlNode> keys = entry.getValue().mapping(POOL_KEYS);
            named.put(name, keep(name, spec(entry.getValue(), keys)));
        }
    }

    /**
     * A route's {@code remote:} (or {@code passthrough:}): {@code HOST:PORT}, {@code https://HOST[:PORT]}, the name
     * of an upstream, a list of {@code HOST:PORT}, or a pool written out. With one server or a list, the route's
     * own {@code connect-timeout}, {@code tls} and {@code proxy-protocol} apply; a named or written-out pool has
     * its own.
     */
    Pool remote(String route, YamlNode node, Map<String, YamlNode> routeKeys, boolean httpsAllowed)
            throws ConfigException {
        if (node.isScalar() && named.containsKey(node.string())) {
            onlyInThePool(routeKeys, "upstream '" + node.string() + "'");
            return named.get(node.string());
        }
        if (node.isScalar() && !node.string().contains(":")) {
            throw node.error("expected HOST:PORT or the name of an upstream, not '" + node.string() + "'"
                    + (named.isEmpty() ? "; there is no 'upstreams:' section"
                            : "; the upstreams are " + String.join(", ", named.keySet())));
        }
        if (!node.isScalar() && !node.isSequence()) {
            onlyInThePool(routeKeys, "the pool written under 'remote:'");
            return keep(route, spec(node, node.mapping(POOL_KEYS)));
        }
        boolean https = httpsAllowed && node.isScalar() && node.string().startsWith(HTTPS);
        List<Server> servers = node.isScalar() ? List.of(server(node, https)) : servers(node, true);
        Duration connectTimeout = optional(routeKeys, "connect-timeout", YamlNode::duration,
                PoolSpec.DEFAULT_CONNECT_TIMEOUT);
        Optional<UpstreamTls> tls = routeKeys.containsKey("tls") ? Optional.of(upstreamTls(routeKeys.get("tls")))
                : https ? Optional.of(upstreamTls(node)) : Optional.empty();
        return keep(route, PoolSpec.of(servers, connectTimeout, tls, proxyProtocol(routeKeys)));
    }

    private static void onlyInThePool(Map<String, YamlNode> routeKeys, String pool) throws ConfigException {
        for (String key : ROUTE_POOL_KEYS) {
            if (routeKeys.containsKey(key)) {
                throw routeKeys.get(key).error("set it on " + pool + ": a pool's servers share it");
            }
        }
    }

    /** Gives the pool a name no other has: its own, or its route's with a number after it. */
    private Pool keep(String name, PoolSpec spec) {
        String unique = name;
        for (int n = 2; !names.add(unique); n++) {
            unique = name + "-" + n;
        }
        Pool pool = new Pool(unique, spec);
        all.add(pool);
        return pool;
    }

    private PoolSpec spec(YamlNode node, Map<String, YamlNode> keys) throws ConfigException {
        if (!keys.containsKey("servers")) {
            throw node.error("a pool needs 'servers: [HOST:PORT, ...]'");
        }
        List<Server> servers = servers(keys.get("servers"), false);
        Policy policy = optional(keys, "policy", n -> n.parsed(Policy::named), Policy.ROUND_ROBIN);
        Duration connectTimeout = optional(keys, "connect-timeout", YamlNode::duration,
                PoolSpec.DEFAULT_CONNECT_TIMEOUT);
        Retries retries = new Retries(
                optional(keys, "tries", n -> OptionalInt.of(n.integer(1, MAX_TRIES)), OptionalInt.empty()),
                optional(keys, "connect-budget", n -> Optional.of(positive(n)), Optional.empty()));
        Optional<UpstreamTls> tls = keys.containsKey("tls") ? Optional.of(upstreamTls(keys.get("tls")))
                : Optional.empty();
        Optional<HealthCheck> check = optional(keys, "health-check", n -> Optional.of(healthCheck(n)),
                Optional.empty());
        PassiveCheck passive = optional(keys, "passive", PoolReader::passive,
                servers.size() > 1 ? PassiveCheck.DEFAULT : PassiveCheck.OFF);
        Duration slowStart = optional(keys, "slow-start", YamlNode::duration, Duration.ZERO);
        boolean all = optional(keys, "resolve", PoolReader::resolveAll, false);
        Duration interval = optional(keys, "resolve-interval", PoolReader::positive, Resolution.DEFAULT_INTERVAL);
        try {
            return new PoolSpec(servers, policy, connectTimeout, retries, tls, proxyProtocol(keys), check, passive,
                    slowStart, new Resolution(all, interval));
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    private static Optional<ProxyProtocolVersion> proxyProtocol(Map<String, YamlNode> keys) throws ConfigException {
        return optional(keys, "proxy-protocol", n -> Optional.of(n.parsed(ProxyProtocolVersion::named)),
                Optional.empty());
    }

    /**
     * {@code [HOST:PORT, {address: HOST:PORT, weight: 3, backup: true}, ...]}: at least one, none twice (a name in
     * any case); the short list form takes {@code HOST:PORT} only.
     */
    private static List<Server> servers(YamlNode node, boolean shortForm) throws ConfigException {
        List<Server> servers = new ArrayList<>();
        for (YamlNode item : node.sequence()) {
            if (item.isScalar() && item.string().startsWith(HTTPS)) {
                throw item.error("a list takes HOST:PORT; turn TLS on for all its servers with 'tls:'");
            }
            Server server;
            if (item.isScalar()) {
                server = server(item, false);
            } else if (shortForm) {
                throw item.error("a route's list of servers takes HOST:PORT; for weights and backups, write the pool "
                        + "out under 'upstreams:' or as 'remote: {servers: [...]}'");
            } else {
                server = weighted(item);
            }
            if (servers.stream().anyMatch(listed -> listed.port() == server.port()
                    && listed.host().equalsIgnoreCase(server.host()))) {
                throw item.error("server " + server + " is listed twice");
            }
            servers.add(server);
        }
        if (servers.isEmpty()) {
            throw node.error("a list of servers needs at least one");
        }
        return servers;
    }

    private static Server weighted(YamlNode node) throws ConfigException {
        Map<String, YamlNode> keys = node.mapping(SERVER_KEYS);
        if (!keys.containsKey("address")) {
            throw node.error("a server needs 'address: HOST:PORT'");
        }
        Server address = server(keys.get("address"), false);
        return new Server(address.host(), address.port(),
                optional(keys, "weight", n -> n.integer(1, Server.MAX_WEIGHT), 1),
                optional(keys, "backup", YamlNode::bool, false));
    }

    /** One {@code HOST:PORT}, or {@code https://HOST[:PORT]}. */
    private static Server server(YamlNode node, boolean https) throws ConfigException {
        HostPort address = node.parsed(text -> https ? httpsAddress(text) : HostPort.parse(text));
        if (address.port() == 0) {
            throw node.error("port 0 cannot be connected to");
        }
        return new Server(address.host(), address.port());
    }

    /** {@code https://HOST[:PORT]}, with nothing after the authority. */
    private static HostPort httpsAddress(String text) {
        String authority = text.substring(HTTPS.length());
        if (authority.endsWith("/")) {
            authority = authority.substring(0, authority.length() - 1);
        }
        boolean hasPort = authority.startsWith("[") ? authority.contains("]:") : authority.contains(":");
        return HostPort.parse(hasPort ? authority : authority + ":" + HTTPS_PORT);
    }

    /** {@code tcp}, {@code http}, or {@code {type, path, host, expect-status, interval, timeout, rise, fall}}. */
    private static HealthCheck healthCheck(YamlNode node) throws ConfigException {
        Map<String, YamlNode> keys = node.isScalar() ? Map.of("type", node) : node.mapping(CHECK_KEYS);
        HealthCheck.Kind kind = optional(keys, "type", n -> switch (n.string()) {
            case "tcp" -> HealthCheck.Kind.TCP;
            case "http" -> HealthCheck.Kind.HTTP;
            default -> throw n.error("a health check's type is tcp or http");
        }, HealthCheck.Kind.TCP);
        if (kind == HealthCheck.Kind.TCP) {
            for (String httpOnly : List.of("path", "host", "expect-status")) {
                if (keys.containsKey(httpOnly)) {
                    throw keys.get(httpOnly).error("applies to 'type: http' checks only");
                }
            }
        }
        String path = optional(keys, "path", PoolReader::path, "/");
        Optional<String> host = optional(keys, "host", n -> Optional.of(n.nonEmptyString()), Optional.empty());
        HealthCheck.StatusRange expect = optional(keys, "expect-status", n -> n.parsed(PoolReader::statusRange),
                HealthCheck.DEFAULT_EXPECT);
        try {
            return new HealthCheck(kind, path, host, expect,
                    optional(keys, "interval", PoolReader::positive, HealthCheck.DEFAULT_INTERVAL),
                    optional(keys, "timeout", PoolReader::positive, HealthCheck.DEFAULT_TIMEOUT),
                    optional(keys, "rise", n -> n.integer(1, MAX_COUNT), HealthCheck.DEFAULT_RISE),
                    optional(keys, "fall", n -> n.integer(1, MAX_COUNT), HealthCheck.DEFAULT_FALL));
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    /** A request target as the check sends it: starting with '/', printable, no spaces. */
    private static String path(YamlNode node) throws ConfigException {
        String path = node.nonEmptyString();
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw node.error("a check's path starts with '/' and has no spaces or control characters");
        }
        return path;
    }

    /** {@code 200}, or {@code 200-399}. */
    private static HealthCheck.StatusRange statusRange(String text) {
        String[] ends = text.trim().split("-", -1);
        try {
            int low = Integer.parseInt(ends[0].trim());
            int high = ends.length == 2 ? Integer.parseInt(ends[1].trim()) : low;
            if (ends.length > 2) {
                throw new NumberFormatException();
            }
            return new HealthCheck.StatusRange(low, high);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a status such as 200, or a range such as 200-399, not '"
                    + text + "'");
        }
    }

    /** {@code off}, or {@code {max-failures: 3, cool-down: 10s}}. */
    private static PassiveCheck passive(YamlNode node) throws ConfigException {
        if (node.isScalar()) {
            if (!node.string().equals("off")) {
                throw node.error("expected 'off' or {max-failures: N, cool-down: DURATION}");
            }
            return PassiveCheck.OFF;
        }
        Map<String, YamlNode> keys = node.mapping(PASSIVE_KEYS);
        return new PassiveCheck(
                optional(keys, "max-failures", n -> n.integer(1, MAX_COUNT), PassiveCheck.DEFAULT.maxFailures()),
                optional(keys, "cool-down", PoolReader::positive, PassiveCheck.DEFAULT.coolDown()));
    }

    private static boolean resolveAll(YamlNode node) throws ConfigException {
        return switch (node.string().toLowerCase(Locale.ROOT)) {
            case "all" -> true;
            case "first" -> false;
            default -> throw node.error("expected 'first' (a name's first address) or 'all' (every address)");
        };
    }

    private static Duration positive(YamlNode node) throws ConfigException {
        Duration duration = node.duration();
        if (duration.isZero()) {
            throw node.error("must be longer than zero");
        }
        return duration;
    }

    /**
     * {@code tls: {verify, ca, sni}}, or {@code tls: true} for the defaults (verified against the JDK's trust store
     * and the server's host name); {@code node} is that key's value, or the {@code https://} remote's.
     */
    private UpstreamTls upstreamTls(YamlNode node) throws ConfigException {
        Map<String, YamlNode> tls = Map.of();
        if (!node.isScalar()) {
            tls = node.mapping(UPSTREAM_TLS_KEYS);
        } else if (!node.string().startsWith(HTTPS) && !node.bool()) {
            throw node.error("leave tls out for plain TCP; true or a mapping turns TLS to the upstream on");
        }
        boolean verify = optional(tls, "verify", YamlNode::bool, true);
        Optional<Path> ca = optional(tls, "ca", n -> Optional.of(base.resolve(n.nonEmptyString())), Optional.empty());
        Optional<String> sni = optional(tls, "sni", n -> Optional.of(n.nonEmptyString()), Optional.empty());
        try {
            return new UpstreamTls(verify, ca, sni);
        } catch (ConfigException e) {
            throw node.error(e.getMessage());
        }
    }
}
