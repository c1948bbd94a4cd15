package org.streamprox.proxy.config;

import static org.streamprox.proxy.config.YamlNode.optional;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.streamprox.proxy.detect.NamedProbe;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.net.AddressBlock;
import org.streamprox.proxy.net.AddressBlocks;
import org.streamprox.proxy.observe.AccessLog;
import org.streamprox.proxy.route.RuleRouter;
import org.streamprox.proxy.tls.TlsSettings;
import org.streamprox.proxy.upstream.TunnelSettings;

/**
 * Reads the YAML configuration. Strict: an unknown key, a value of the wrong type, a bad address or regex, or a
 * CR or LF in a rewritten value stops loading with a message naming the file, the line and the field. The
 * format is documented in docs/configuration.md.
 */
public final class ConfigLoader {

    private static final Set<String> TOP_KEYS = Set.of("listen", "tls", "listeners", "head", "max-connections",
            "max-connections-per-client", "copy-buffer-size", "half-close-timeout", "drain-timeout", "routes",
            "protocols", "accept-proxy-protocol", "detect-timeout", "on-silence", "trusted-proxies", "admin",
            "upstreams");
    /** What each listener has of its own; with the one-listener shorthand, they are at the top. */
    private static final List<String> ONE_LISTENER_KEYS = List.of("listen", "tls", "accept-proxy-protocol",
            "detect-timeout", "on-silence", "trusted-proxies");
    private static final Set<String> LISTENER_KEYS = Set.of("listen", "tls", "routes", "accept-proxy-protocol",
            "detect-timeout", "on-silence", "trusted-proxies");
    private static final Set<String> ACCEPT_PROXY_PROTOCOL_KEYS = Set.of("trusted");
    private static final InetSocketAddress DEFAULT_LISTEN = new InetSocketAddress("0.0.0.0", 8080);
    private static final Set<String> ADMIN_KEYS = Set.of("listen");
    private static final Set<String> HEAD_KEYS = Set.of("until", "max-bytes", "max-reads", "max-headers", "timeout");
    private final Set<String> localApps;

    /** @param localApps the names a {@code local:} route may use: the apps registered, in order */
    public ConfigLoader(Set<String> localApps) {
        this.localApps = localApps;
    }

    /** Files the configuration names (certificates, CAs) are found relative to the file's folder. */
    public ProxyConfig load(Path file) throws ConfigException {
        try {
            return load(Files.readString(file, StandardCharsets.UTF_8), file.toString(),
                    file.toAbsolutePath().getParent());
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

    /**
     * Files the configuration names are found relative to the working directory.
     *
     * @param source names the text in messages, usually its file name
     */
    public ProxyConfig load(String yaml, String source) throws ConfigException {
        return load(yaml, source, Path.of(""));
    }

    /** @param base where relative file names in the configuration start from */
    private ProxyConfig load(String yaml, String source, Path base) throws ConfigException {
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
        return config(new YamlNode(root, source, ""), base);
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

    private ProxyConfig config(YamlNode root, Path base) throws ConfigException {
        Map<String, YamlNode> top = root.mapping(TOP_KEYS);
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
        ProxySettings shared = new ProxySettings(DEFAULT_LISTEN, head, connections, tunnel, drain);
        List<NamedProbe> protocols = optional(top, "protocols", ConfigLoader::protocols, List.of());
        PoolReader pools = new PoolReader(base);
        if (top.containsKey("upstreams")) {
            pools.upstreams(top.get("upstreams"));
        }
        RouteReader routeReader = new RouteReader(localApps,
                protocols.stream().map(probe -> probe.protocol().name()).collect(Collectors.toSet()), head.until(),
                pools);
        Optional<RouteTable> sharedRoutes = top.containsKey("routes")
                ? Optional.of(routeReader.routes(top.get("routes"))) : Optional.empty();
        List<ProxyConfig.Listener> listeners = top.containsKey("listeners")
                ? listeners(top, shared, sharedRoutes, protocols, routeReader, base)
                // The one-listener shorthand: listen and tls at the top, and the routes read once, as shared.
                : List.of(listener(root, withoutRoutes(top), shared, sharedRoutes, protocols, routeReader, base));
        return new ProxyConfig(listeners, pools.pools(), admin(root, top, listeners), root.asSource());
    }

    /** Each route makes its own pool: the shared routes are read once, not again as the one listener's own. */
    private static Map<String, YamlNode> withoutRoutes(Map<String, YamlNode> keys) {
        Map<String, YamlNode> rest = new HashMap<>(keys);
        rest.remove("routes");
        return rest;
    }

    /** {@code listeners: [...]}: each with its own address, TLS and first-bytes settings; at least one. */
    private List<ProxyConfig.Listener> listeners(Map<String, YamlNode> top, ProxySettings shared,
                                                 Optional<RouteTable> sharedRoutes, List<NamedProbe> protocols,
                                                 RouteReader routeReader, Path base) throws ConfigException {
        YamlNode listeners = top.get("listeners");
        for (String oneListenerKey : ONE_LISTENER_KEYS) {
            if (top.containsKey(oneListenerKey)) {
                throw top.get(oneListenerKey).error("with 'listeners', each listener has its own '" + oneListenerKey
                        + "'");
            }
        }
        List<ProxyConfig.Listener> configured = new ArrayList<>();
        Set<InetSocketAddress> addresses = new HashSet<>();
        for (YamlNode node : listeners.sequence()) {
            Map<String, YamlNode> listener = node.mapping(LISTENER_KEYS);
            if (!listener.containsKey("listen")) {
                throw node.error("a listener needs 'listen: HOST:PORT'");
            }
            ProxyConfig.Listener read = listener(node, listener, shared, sharedRoutes, protocols, routeReader, base);
            if (read.settings().listen().getPort() != 0 && !addresses.add(read.settings().listen())) {
                throw listener.get("listen").error("two listeners on " + read.settings().listen());
            }
            configured.add(read);
        }
        if (configured.isEmpty()) {
            throw listeners.error("needs at least one listener");
        }
        return configured;
    }

    /**
     * {@code admin: { listen: HOST:PORT }} or {@code admin: off}; {@link ProxyConfig#DEFAULT_ADMIN} when absent.
     * Never a listener's address: the admin paths would then be served to clients, or not at all.
     */
    private static Optional<InetSocketAddress> admin(YamlNode root, Map<String, YamlNode> top,
                                                     List<ProxyConfig.Listener> listeners) throws ConfigException {
        YamlNode node = top.get("admin");
        YamlNode listen;
        InetSocketAddress address;
        if (node == null) {
            listen = root;
            address = ProxyConfig.DEFAULT_ADMIN;
        } else if (node.isScalar()) {
            if (!node.string().equals("off")) {
                throw node.error("expected 'off' or { listen: HOST:PORT }");
            }
            return Optional.empty();
        } else {
            listen = node.mapping(ADMIN_KEYS).get("listen");
            if (listen == null) {
                throw node.error("needs 'listen: HOST:PORT', or 'admin: off' for no admin listener");
            }
            address = listen.parsed(ConfigLoader::listenAddress);
        }
        Optional<ProxyConfig.Listener> clash = ProxyConfig.listenerSharing(listeners, address);
        if (clash.isPresent()) {
            throw listen.error(ProxyConfig.adminClash(clash.get()) + (node == null ? "; the admin listener's default "
                    + "is " + AccessLog.address(address) + ": give it another with 'admin: { listen: HOST:PORT }', "
                    + "or 'admin: off'" : ""));
        }
        return Optional.of(address);
    }

    /**
     * One listener: its address, TLS and first-bytes settings, and its own routes or else the shared ones.
     *
     * @param protocols the protocols {@code protocols:} defined, which its routes may name
     */
    private ProxyConfig.Listener listener(YamlNode node, Map<String, YamlNode> keys, ProxySettings shared,
                                          Optional<RouteTable> sharedRoutes, List<NamedProbe> protocols,
                                          RouteReader routeReader, Path base) throws ConfigException {
        InetSocketAddress listen = optional(keys, "listen", n -> n.parsed(ConfigLoader::listenAddress), DEFAULT_LISTEN);
        RouteTable routes = keys.containsKey("routes") ? routeReader.routes(keys.get("routes"))
                : sharedRoutes.orElseThrow(() -> node.error("routes: missing; a configuration needs at least one "
                        + "route"));
        RuleRouter router = routes.router(Optional.ofNullable(keys.get("on-silence")));
        boolean passThrough = router.rules().stream().anyMatch(rule -> rule.route().passesThrough());
        TlsSettings tls = optional(keys, "tls", n -> TlsReader.tls(n, base), TlsSettings.NONE)
                .withPassThrough(passThrough);
        Duration detectTimeout = optional(keys, "detect-timeout", YamlNode::duration,
                ArrivalSettings.DEFAULT_DETECT_TIMEOUT);
        // Only a route for silent clients makes the engine wait on it.
        if (router.onSilence().isPresent() && detectTimeout.compareTo(shared.head().timeout()) >= 0) {
            throw (keys.containsKey("detect-timeout") ? keys.get("detect-timeout") : node).error("the detect "
                    + "timeout (" + detectTimeout.toMillis() + " ms) must be shorter than the head timeout ("
                    + shared.head().timeout().toMillis() + " ms), which cuts a silent client first");
        }
        ArrivalSettings arrival = new ArrivalSettings(optional(keys, "accept-proxy-protocol",
                n -> Optional.of(proxyHeaderSenders(n)), Optional.empty()), detectTimeout, protocols,
                optional(keys, "trusted-proxies", n -> Optional.of(addressBlocks(n)), Optional.empty()));
        return new ProxyConfig.Listener(shared.withListen(listen).withTls(tls).withArrival(arrival), router);
    }

    /** {@code accept-proxy-protocol: { trusted: [CIDR, ...] }}: only these peers send PROXY headers, and they must. */
    private static AddressBlocks proxyHeaderSenders(YamlNode node) throws ConfigException {
        Map<String, YamlNode> accept = node.mapping(ACCEPT_PROXY_PROTOCOL_KEYS);
        if (!accept.containsKey("trusted")) {
            throw node.error("needs 'trusted: [ADDRESS/PREFIX, ...]': the proxies allowed to send a PROXY header");
        }
        return addressBlocks(accept.get("trusted"));
    }

    /** {@code [127.0.0.1/32, '::1/128', ...]}, at least one. */
    private static AddressBlocks addressBlocks(YamlNode node) throws ConfigException {
        List<AddressBlock> blocks = new ArrayList<>();
        for (YamlNode block : node.sequence()) {
            blocks.add(block.parsed(AddressBlock::parse));
        }
        if (blocks.isEmpty()) {
            throw node.error("needs at least one address block");
        }
        return new AddressBlocks(blocks);
    }

    /** {@code protocols: { NAME: REGEX, ... }}: protocols told by their first bytes, in order. */
    private static List<NamedProbe> protocols(YamlNode node) throws ConfigException {
        List<NamedProbe> protocols = new ArrayList<>();
        for (Map.Entry<String, YamlNode> entry : node.anyMapping().entrySet()) {
            Pattern regex = entry.getValue().regex();
            try {
                protocols.add(NamedProbe.regex(entry.getKey(), regex));
            } catch (IllegalArgumentException e) {
                throw entry.getValue().error(e.getMessage());
            }
        }
        return protocols;
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
}
