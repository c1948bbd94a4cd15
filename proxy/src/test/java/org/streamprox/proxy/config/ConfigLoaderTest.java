package org.streamprox.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.streamprox.proxy.config.ConnectionLimits;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.http.HeadParser;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.proxy.net.AddressBlocks;
import org.streamprox.proxy.pool.HealthCheck;
import org.streamprox.proxy.pool.PassiveCheck;
import org.streamprox.proxy.pool.Policy;
import org.streamprox.proxy.pool.Pool;
import org.streamprox.proxy.pool.PoolSpec;
import org.streamprox.proxy.pool.Resolution;
import org.streamprox.proxy.pool.Retries;
import org.streamprox.proxy.pool.Server;
import org.streamprox.proxy.proxyprotocol.ProxyProtocolVersion;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.RuleRouter;
import org.streamprox.proxy.route.Target;
import org.streamprox.proxy.tls.ClientHello;
import org.streamprox.testkit.Origins;

class ConfigLoaderTest {

    private final ConfigLoader loader = new ConfigLoader(new LinkedHashSet<>(List.of("foo", "bar")));

    private static final String FULL = """
            listen: 127.0.0.1:9090
            head: { until: headers, max-bytes: 8192, max-reads: 64, timeout: 3s }
            drain-timeout: 2s
            copy-buffer-size: 4096
            max-connections: 500
            max-connections-per-client: 20
            half-close-timeout: 15s
            routes:
              - name: foo
                match: { path-prefix: /foo }
                local: foo
              - name: google
                match: { path-prefix: /google, method: GET, host: "*.example.org" }
                remote: www.google.com:80
                connect-timeout: 500ms
                idle-timeout: 5m
                rewrite:
                  set-headers: { Host: www.google.com }
                  remove-headers: [Cookie]
                  strip-prefix: /google
              - name: ws
                match: { header: { name: Upgrade, regex: "(?i)websocket" } }
                remote: "[::1]:8081"
            """;

    @Test
    void readsEverySetting() throws Exception {
        ProxyConfig config = loader.load(FULL, "full.yaml");

        assertEquals(9090, config.listeners().get(0).settings().listen().getPort());
        assertEquals(new HeadLimits(HeadLimits.Until.HEADERS, 8192, 64, Duration.ofSeconds(3)),
                config.listeners().get(0).settings().head());
        assertEquals(Duration.ofSeconds(2), config.listeners().get(0).settings().drainTimeout());
        assertEquals(4096, config.listeners().get(0).settings().tunnel().copyBufferSize());
        assertEquals(new ConnectionLimits(500, 20), config.listeners().get(0).settings().connections());
        assertEquals(Duration.ofSeconds(15), config.listeners().get(0).settings().tunnel().halfCloseTimeout());
        assertEquals(3, config.listeners().get(0).router().rules().size());
        Route google = config.listeners().get(0).router().rules().get(1).route();
        assertEquals(new Target.Remote("www.google.com", 80, Duration.ofMillis(500)), google.target());
        assertEquals(Optional.of(Duration.ofMinutes(5)), google.idleTimeout());
        assertEquals(new Target.Remote("::1", 8081), config.listeners().get(0).router().rules().get(2).route().target());
        assertEquals(new Target.Local("foo"), config.listeners().get(0).router().rules().get(0).route().target());

        var head = HeadParser.parse(ascii("GET /google/x HTTP/1.1\r\nHost: www.example.org\r\nCookie: a\r\n\r\n"),
                true);
        assertEquals(google, config.listeners().get(0).router().route(head, Optional.empty()).orElseThrow());
        assertEquals("GET /x HTTP/1.1\r\nHost: www.google.com\r\n\r\n", new String(google.rewrite().apply(head, Origins.PLAIN),
                java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Test
    void aRemoteMayBeAListOfServersSharingTheRoutesSettings() throws Exception {
        ProxyConfig config = loader.load("""
                routes:
                  - remote: [127.0.0.1:9001, '[::1]:9002', example.org:80]
                    connect-timeout: 2s
                    proxy-protocol: v2
                """, "list.yaml");

        Target.Remote remote = (Target.Remote) config.listeners().get(0).router().rules().get(0).route().target();
        assertEquals(List.of(new Server("127.0.0.1", 9001), new Server("::1", 9002), new Server("example.org", 80)),
                remote.pool().spec().servers());
        assertEquals(Duration.ofSeconds(2), remote.connectTimeout());
        assertEquals(Optional.of(ProxyProtocolVersion.V2), remote.proxyProtocol());
        assertEquals("remote 127.0.0.1:9001,[::1]:9002,example.org:80", remote.describe());
    }

    @Test
    void routesNamingAnUpstreamShareOnePoolWithEverythingItSays() throws Exception {
        ProxyConfig config = loader.load("""
                upstreams:
                  web:
                    policy: least-connections
                    servers: [127.0.0.1:9001, {address: 127.0.0.1:9002, weight: 3}, {address: b.test:80, backup: true}]
                    tries: 2
                    connect-timeout: 2s
                    connect-budget: 3s
                    proxy-protocol: v1
                    health-check: {type: http, path: /healthz, host: web.test, expect-status: 200-299, interval: 1s,
                                   timeout: 500ms, rise: 1, fall: 4}
                    passive: {max-failures: 5, cool-down: 20s}
                    slow-start: 30s
                    resolve: all
                    resolve-interval: 5s
                routes:
                  - {name: a, match: {path-prefix: /a}, remote: web}
                  - {name: b, remote: web}
                  - {name: own, remote: {servers: [127.0.0.1:9003], policy: client-hash, passive: off}}
                """, "pools.yaml");

        List<RuleRouter.Rule> rules = config.listeners().get(0).router().rules();
        Pool web = ((Target.Remote) rules.get(0).route().target()).pool();
        assertSame(web, ((Target.Remote) rules.get(1).route().target()).pool());
        assertEquals("web", web.name());
        assertEquals(new PoolSpec(List.of(new Server("127.0.0.1", 9001), new Server("127.0.0.1", 9002, 3, false),
                new Server("b.test", 80, 1, true)), Policy.LEAST_CONNECTIONS, Duration.ofSeconds(2),
                new Retries(OptionalInt.of(2), Optional.of(Duration.ofSeconds(3))), Optional.empty(),
                Optional.of(ProxyProtocolVersion.V1), Optional.of(new HealthCheck(HealthCheck.Kind.HTTP, "/healthz",
                        Optional.of("web.test"), new HealthCheck.StatusRange(200, 299), Duration.ofSeconds(1),
                        Duration.ofMillis(500), 1, 4)), new PassiveCheck(5, Duration.ofSeconds(20)),
                Duration.ofSeconds(30), new Resolution(true, Duration.ofSeconds(5))), web.spec());
        Pool own = ((Target.Remote) rules.get(2).route().target()).pool();
        assertEquals("own", own.name());
        assertEquals(Policy.CLIENT_HASH, own.spec().policy());
        assertEquals(PassiveCheck.OFF, own.spec().passive());
        assertEquals(List.of("web", "own"), config.pools().stream().map(Pool::name).toList());
    }

    @Test
    void aListHasPassiveChecksAndTriesEveryServerOnceUnlessTold() throws Exception {
        ProxyConfig config = loader.load("""
                routes:
                  - {name: web, remote: [127.0.0.1:9001, 127.0.0.1:9002]}
                  - {name: one, match: {path: /one}, remote: 127.0.0.1:9003}
                  - {name: checked, match: {path: /c}, remote: {servers: [127.0.0.1:9004], health-check: tcp}}
                """, "defaults.yaml");

        PoolSpec list = config.pools().get(0).spec();
        assertEquals(Policy.ROUND_ROBIN, list.policy());
        assertEquals(Retries.EVERY_SERVER_ONCE, list.retries());
        assertEquals(PassiveCheck.DEFAULT, list.passive());
        assertEquals(Optional.empty(), list.healthCheck());
        assertEquals(PassiveCheck.OFF, config.pools().get(1).spec().passive());
        assertEquals(Optional.of(HealthCheck.tcp()), config.pools().get(2).spec().healthCheck());
    }

    @Test
    void defaultsApplyWhenOnlyRoutesAreGiven() throws Exception {
        ProxyConfig config = loader.load("routes:\n  - remote: 127.0.0.1:80\n", "min.yaml");
        assertEquals(8080, config.listeners().get(0).settings().listen().getPort());
        assertEquals(HeadLimits.defaults(), config.listeners().get(0).settings().head());
        assertEquals(new ConnectionLimits(10_000, 5_000), config.listeners().get(0).settings().connections());
        assertEquals("route-1", config.listeners().get(0).router().rules().get(0).route().name());
    }

    /** By default one address may hold half the places, whatever their number. */
    @Test
    void readsListenersTlsConditionsAndTheNewTargets() throws Exception {
        ProxyConfig config = loader.load("""
                listeners:
                  - listen: 127.0.0.1:8080
                    routes:
                      - redirect: 'https://{host}:8443{path}'
                  - listen: 127.0.0.1:8443
                    tls: { self-signed: [localhost], required: true, strict-sni: true, max-hello-bytes: 4096 }
                routes:
                  - { name: mail, match: { sni: '*.mail.test', alpn: imap }, passthrough: 127.0.0.1:993 }
                  - { name: site, match: { tls: true }, local: foo }
                """, "listeners.yaml");

        assertEquals(2, config.listeners().size());
        ProxyConfig.Listener plain = config.listeners().get(0);
        ProxyConfig.Listener secure = config.listeners().get(1);
        assertEquals(8080, plain.settings().listen().getPort());
        Target.Redirect redirect = (Target.Redirect) plain.router().rules().get(0).route().target();
        assertEquals(308, redirect.status());
        assertEquals("https://{host}:8443{path}", redirect.location().toString());
        assertTrue(secure.settings().tls().certificates().isPresent() && secure.settings().tls().required()
                && secure.settings().tls().strictSni() && secure.settings().tls().passThrough());
        assertEquals(4096, secure.settings().tls().maxHelloBytes());
        assertTrue(!plain.settings().tls().inspectsHellos(), "the plain listener has no TLS and passes none through");

        ClientHello imap = new ClientHello(Optional.of("a.mail.test"), List.of("imap"), false);
        ClientHello web = new ClientHello(Optional.of("a.mail.test"), List.of("h2", "http/1.1"), false);
        assertEquals("mail", secure.router().passThrough(imap).orElseThrow().name());
        assertEquals(Optional.empty(), secure.router().passThrough(web), "site is first for it: terminate");
        RequestHead head = HeadParser.parse(ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), true);
        assertEquals("site", secure.router().route(head, Optional.of(web)).orElseThrow().name());
        assertEquals(Optional.empty(), secure.router().route(head, Optional.empty()), "site wants TLS");
    }

    @Test
    void thePerClientLimitFollowsMaxConnectionsUnlessGiven() throws Exception {
        assertEquals(new ConnectionLimits(300, 150), loader.load("max-connections: 300\nroutes: [ { remote: a:1 } ]\n",
                "half.yaml").listeners().get(0).settings().connections());
        assertEquals(new ConnectionLimits(1, 1), loader.load("max-connections: 1\nroutes: [ { remote: a:1 } ]\n",
                "one.yaml").listeners().get(0).settings().connections());
        assertEquals(new ConnectionLimits(300, 0), loader.load("max-connections: 300\nmax-connections-per-client: 0\n"
                + "routes: [ { remote: a:1 } ]\n", "off.yaml").listeners().get(0).settings().connections());
    }

    @Test
    void theTrustedProxiesAreAListOfAddressBlocks() throws Exception {
        AddressBlocks trusted = loader.load("""
                accept-proxy-protocol: { trusted: [127.0.0.1/32, "::1/128"] }
                routes: [ { remote: a:1 } ]
                """, "trusted.yaml").listeners().get(0).settings().arrival().proxyHeadersFrom().orElseThrow();

        assertTrue(trusted.contains(InetAddress.getByName("127.0.0.1")));
        assertTrue(trusted.contains(InetAddress.getByName("::1")));
        assertFalse(trusted.contains(InetAddress.getByName("127.0.0.9")));
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load("""
                accept-proxy-protocol:
                  trusted: [127.0.0.1/32, nonsense]
                routes: [ { remote: a:1 } ]
                """, "bad-block.yaml"));
        assertTrue(e.getMessage().startsWith("bad-block.yaml:2: accept-proxy-protocol.trusted[1]: 'nonsense'"),
                e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown key      | 3 | routes[0].remot       | routes:~  - name: a~    remot: 127.0.0.1:80",
        "unknown top key  | 2 | route                 | listen: 127.0.0.1:0~route:~  - remote: a:1~routes: [ { remote: a:1 } ]",
        "key given twice  | 3 | listen                | listen: 127.0.0.1:0~routes: [ { remote: a:1 } ]~listen:~  127.0.0.1:1",
        "wrong type       | 1 | head.max-bytes        | head: { max-bytes: lots }~routes: [ { remote: a:1 } ]",
        "bad address      | 2 | routes[0].remote      | routes:~  - remote: nowhere~",
        "bad port         | 1 | listen                | listen: 0.0.0.0:99999~routes: [ { remote: a:1 } ]",
        "bad regex        | 3 | routes[0].match.path-regex | routes:~  - remote: a:1~    match: { path-regex: '(' }",
        "CR in a value    | 4 | routes[0].rewrite.set-headers.Host | routes:~  - remote: a:1~    rewrite:~      set-headers: { Host: \"a\\r\\nX: b\" }",
        "unknown app      | 2 | routes[0].local       | routes:~  - local: nope",
        "both targets     | 2 | routes[0]             | routes:~  - { local: foo, remote: a:1 }",
        "bad duration     | 1 | drain-timeout         | drain-timeout: soon~routes: [ { remote: a:1 } ]",
        "headers needed   | 3 | routes[0].match.host  | head: { until: request-line }~routes:~  - { remote: a:1, match: { host: a } }",
        "headers rewritten| 3 | routes[0].rewrite.set-headers | head: { until: request-line }~routes:~  - { remote: a:1, rewrite: { set-headers: { X: y } } }",
        "head too small   | 1 | head.max-bytes        | head: { max-bytes: 63 }~routes: [ { remote: a:1 } ]",
        "buffer too big   | 1 | copy-buffer-size      | copy-buffer-size: 16777217~routes: [ { remote: a:1 } ]",
        "duplicate name   | 3 | routes[1]             | routes:~  - { name: a, remote: a:1 }~  - { name: a, remote: b:1 }",
        "no routes        | 1 | ''                    | listen: 0.0.0.0:1",
        "broken YAML      | 2 | ''                    | routes:~  - [ unclosed",
        "remove Host      | 3 | routes[0].rewrite.remove-headers[0] | routes:~  - remote: a:1~    rewrite: { remove-headers: [host] }",
        "Host not a host  | 3 | routes[0].rewrite.set-headers.Host | routes:~  - remote: a:1~    rewrite: { set-headers: { Host: a/b } }",
        "framing header   | 3 | routes[0].rewrite.set-headers.Content-Length | routes:~  - remote: a:1~    rewrite: { set-headers: { Content-Length: 5 } }",
        "timeout on local | 2 | routes[0].idle-timeout | routes:~  - { local: foo, idle-timeout: 5s }",
        "passthrough path | 3 | routes[0].match.path  | routes:~  - passthrough: a:1~    match: { path: / }",
        "passthrough plain| 2 | routes[0].match.tls   | routes:~  - { passthrough: a:1, match: { tls: false } }",
        "passthrough rewrite | 2 | routes[0].rewrite  | routes:~  - { passthrough: a:1, rewrite: { strip-prefix: /a } }",
        "not a boolean    | 2 | routes[0].match.tls   | routes:~  - { remote: a:1, match: { tls: yes } }",
        "redirect variable| 2 | routes[0].redirect    | routes:~  - redirect: 'https://{hots}{path}'",
        "redirect status  | 2 | routes[0].redirect.status | routes:~  - redirect: { status: 300, location: /x }",
        "redirect rewrite | 2 | routes[0].rewrite     | routes:~  - { redirect: /x, rewrite: { strip-prefix: /a } }",
        "two targets      | 2 | routes[0]             | routes:~  - { redirect: /x, passthrough: a:1 }",
        "listen and listeners | 1 | listen          | listen: 127.0.0.1:1~listeners: [ { listen: 127.0.0.1:2 } ]~routes: [ { remote: a:1 } ]",
        "same port twice  | 3 | listeners[1].listen   | listeners:~  - listen: 127.0.0.1:1~  - listen: 127.0.0.1:1~routes: [ { remote: a:1 } ]",
        "listener address | 2 | listeners[0]          | listeners:~  - routes: [ { remote: a:1 } ]",
        "listener routes  | 2 | listeners[0]          | listeners:~  - listen: 127.0.0.1:1",
        "no certificate   | 1 | tls                   | tls: { required: true }~routes: [ { remote: a:1 } ]",
        "no such file     | 1 | tls                   | tls: { certificates: [ { cert: /nonexistent.crt, key: /nonexistent.key } ] }~routes: [ { remote: a:1 } ]",
        "PEM and PKCS#12  | 1 | tls.certificates[0].cert | tls: { certificates: [ { cert: a.crt, pkcs12: a.p12 } ] }~routes: [ { remote: a:1 } ]",
        "hello too small  | 1 | tls.max-hello-bytes   | tls: { self-signed: [localhost], max-hello-bytes: 100 }~routes: [ { remote: a:1 } ]",
        "unknown protocol | 2 | routes[0].match.protocol | routes:~  - { remote: a:1, match: { protocol: smtp } }",
        "ssh to a local app | 2 | routes[0]           | routes:~  - { local: foo, match: { protocol: ssh } }",
        "ssh with a path  | 2 | routes[0].match.path-prefix | routes:~  - { remote: a:1, match: { protocol: ssh, path-prefix: / } }",
        "ssh rewritten    | 2 | routes[0].rewrite     | routes:~  - { remote: a:1, match: { protocol: ssh }, rewrite: { strip-prefix: /a } }",
        "second ssh route | 3 | routes[1].match.protocol | routes:~  - { remote: a:1, match: { protocol: ssh } }~  - { remote: b:1, match: { protocol: ssh } }",
        "tls to a local app | 2 | routes[0].match.protocol | routes:~  - { local: foo, match: { protocol: tls } }",
        "tls re-encrypted | 2 | routes[0].tls         | routes:~  - { remote: a:1, tls: true, match: { protocol: tls } }",
        "http passthrough | 2 | routes[0].match.protocol | routes:~  - { passthrough: a:1, match: { protocol: http } }",
        "regex protocol   | 1 | protocols.banner      | protocols: { banner: '(' }~routes: [ { remote: a:1 } ]",
        "built-in name    | 1 | protocols.ssh         | protocols: { ssh: '^SSH' }~routes: [ { remote: a:1 } ]",
        "silence nowhere  | 1 | on-silence            | on-silence: smtp~routes: [ { remote: a:1 } ]",
        "silence local    | 1 | on-silence            | on-silence: app~routes: [ { name: app, local: foo } ]",
        "detect too late  | 1 | detect-timeout        | detect-timeout: 10s~on-silence: smtp~routes: [ { name: smtp, remote: a:1 } ]",
        "trusted missing  | 1 | accept-proxy-protocol | accept-proxy-protocol: {}~routes: [ { remote: a:1 } ]",
        "trusted empty    | 1 | accept-proxy-protocol.trusted | accept-proxy-protocol: { trusted: [] }~routes: [ { remote: a:1 } ]",
        "trusted not CIDR | 1 | accept-proxy-protocol.trusted[0] | accept-proxy-protocol: { trusted: [localhost] }~routes: [ { remote: a:1 } ]",
        "proxy-protocol v3| 2 | routes[0].proxy-protocol | routes:~  - { remote: a:1, proxy-protocol: v3 }",
        "proxy-protocol local | 2 | routes[0].proxy-protocol | routes:~  - { local: foo, proxy-protocol: v1 }",
        "silence per listener | 1 | on-silence        | on-silence: a~listeners: [ { listen: 127.0.0.1:1 } ]~routes: [ { name: a, remote: a:1 } ]",
        "forwarded kind   | 2 | routes[0].forwarded-headers | routes:~  - { remote: a:1, forwarded-headers: x-forwarded-for }",
        "forwarded local  | 2 | routes[0].forwarded-headers | routes:~  - { local: foo, forwarded-headers: forwarded }",
        "forwarded no headers | 3 | routes[0].forwarded-headers | head: { until: request-line }~routes:~  - { remote: a:1, forwarded-headers: forwarded }",
        "unknown variable | 3 | routes[0].rewrite.set-headers.X-Client | routes:~  - remote: a:1~    rewrite: { set-headers: { X-Client: '{client}' } }",
        "trusted proxies  | 1 | trusted-proxies[0]    | trusted-proxies: [ 127.0.0.1/33 ]~routes: [ { remote: a:1 } ]",
        "admin not off    | 1 | admin                 | admin: on~routes: [ { remote: a:1 } ]",
        "admin no address | 1 | admin                 | admin: {}~routes: [ { remote: a:1 } ]",
        "admin unknown key| 1 | admin.port            | admin: { port: 9901 }~routes: [ { remote: a:1 } ]",
        "admin bad address| 1 | admin.listen          | admin: { listen: 9901 }~routes: [ { remote: a:1 } ]",
        "admin on a listener | 2 | admin.listen       | listen: 127.0.0.1:18080~admin: { listen: 127.0.0.1:18080 }~routes: [ { remote: a:1 } ]",
        "admin under a wildcard | 3 | admin.listen    | listeners: [ { listen: 127.0.0.1:1 }, { listen: 0.0.0.0:18080 } ]~routes: [ { remote: a:1 } ]~admin: { listen: 127.0.0.1:18080 }",
        "admin's default taken | 1 | ''             | listen: 0.0.0.0:9901~routes: [ { remote: a:1 } ]",
        "no servers       | 2 | routes[0].remote      | routes:~  - { remote: [] }",
        "bad server       | 2 | routes[0].remote[1]   | routes:~  - { remote: [a:1, nowhere] }",
        "server twice     | 2 | routes[0].remote[1]   | routes:~  - { remote: [a:1, A:1] }",
        "https in a list  | 2 | routes[0].remote[0]   | routes:~  - { remote: ['https://a', b:1] }",
        "port 0 in a list | 2 | routes[0].remote[1]   | routes:~  - { remote: [a:1, b:0] }",
        "mapping in a list| 2 | routes[0].remote[0]   | routes:~  - { remote: [ { host: a } ] }",
        "no such upstream | 2 | routes[0].remote      | routes:~  - { remote: web }",
        "unknown upstream | 4 | routes[0].remote      | upstreams:~  web: { servers: [a:1] }~routes:~  - { remote: webb }",
        "route's timeout  | 4 | routes[0].connect-timeout | upstreams:~  web: { servers: [a:1] }~routes:~  - { remote: web, connect-timeout: 1s }",
        "route's tls      | 2 | routes[0].tls         | routes:~  - { remote: { servers: [a:1] }, tls: true }",
        "pool no servers  | 2 | upstreams.web         | upstreams:~  web: { policy: round-robin }~routes: [ { remote: web } ]",
        "unknown policy   | 2 | upstreams.web.policy  | upstreams:~  web: { servers: [a:1], policy: random }~routes: [ { remote: web } ]",
        "weight 0         | 2 | upstreams.web.servers[0].weight | upstreams:~  web: { servers: [ { address: a:1, weight: 0 } ] }~routes: [ { remote: web } ]",
        "server no address| 2 | upstreams.web.servers[0] | upstreams:~  web: { servers: [ { weight: 2 } ] }~routes: [ { remote: web } ]",
        "weights in a list| 2 | routes[0].remote[0]   | routes:~  - { remote: [ { address: a:1, weight: 2 } ] }",
        "bad check type   | 2 | upstreams.web.health-check.type | upstreams:~  web: { servers: [a:1], health-check: { type: udp } }~routes: [ { remote: web } ]",
        "path on tcp check| 2 | upstreams.web.health-check.path | upstreams:~  web: { servers: [a:1], health-check: { path: /x } }~routes: [ { remote: web } ]",
        "bad status range | 2 | upstreams.web.health-check.expect-status | upstreams:~  web: { servers: [a:1], health-check: { type: http, expect-status: 2xx } }~routes: [ { remote: web } ]",
        "rise 0           | 2 | upstreams.web.health-check.rise | upstreams:~  web: { servers: [a:1], health-check: { rise: 0 } }~routes: [ { remote: web } ]",
        "passive on       | 2 | upstreams.web.passive | upstreams:~  web: { servers: [a:1], passive: on }~routes: [ { remote: web } ]",
        "resolve some     | 2 | upstreams.web.resolve | upstreams:~  web: { servers: [a:1], resolve: some }~routes: [ { remote: web } ]",
        "tries 0          | 2 | upstreams.web.tries   | upstreams:~  web: { servers: [a:1], tries: 0 }~routes: [ { remote: web } ]",
        "budget 0         | 2 | upstreams.web.connect-budget | upstreams:~  web: { servers: [a:1], connect-budget: 0s }~routes: [ { remote: web } ]",
        "upstream name    | 2 | upstreams.a:b         | upstreams:~  'a:b': { servers: [a:1] }~routes: [ { remote: a:1 } ]",
    })
    void badConfigurationsNameFileLineAndField(String name, int line, String field, String yaml) {
        String text = yaml.replace("~", "\n");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(text, "bad.yaml"));
        assertTrue(e.getMessage().startsWith("bad.yaml:" + line + ": " + (field.isEmpty() ? "" : field + ":")),
                e.getMessage());
    }

    /** The loader's bounds are the settings' own: the extremes it accepts make valid settings. */
    @ParameterizedTest
    @CsvSource({"64, 1, 1, 512, 1, 0", "1048576, 2147483647, 10000, 16777216, 1000000, 1000000"})
    void theExtremesTheLoaderAcceptsAreValidSettings(int maxBytes, int maxReads, int maxHeaders, int copyBuffer,
                                                     int maxConnections, int perClient) throws Exception {
        ProxyConfig config = loader.load("head: { max-bytes: " + maxBytes + ", max-reads: " + maxReads
                + ", max-headers: " + maxHeaders + " }\ncopy-buffer-size: " + copyBuffer + "\nmax-connections: "
                + maxConnections + "\nmax-connections-per-client: " + perClient + "\nroutes: [ { remote: a:1 } ]\n",
                "extremes.yaml");
        assertEquals(maxBytes, config.listeners().get(0).settings().head().maxBytes());
        assertEquals(copyBuffer, config.listeners().get(0).settings().tunnel().copyBufferSize());
        assertEquals(new ConnectionLimits(maxConnections, perClient), config.listeners().get(0).settings().connections());
    }

    @Test
    void theAdminListenerIsOnLoopbackPort9901UnlessMovedOrTurnedOff() throws Exception {
        assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 9901)),
                loader.load("routes: [ { remote: a:1 } ]\n", "default.yaml").admin());
        assertEquals(Optional.of(new InetSocketAddress("::1", 9902)),
                loader.load("admin: { listen: '[::1]:9902' }\nroutes: [ { remote: a:1 } ]\n", "moved.yaml").admin());
        assertEquals(Optional.empty(), loader.load("admin: off\nroutes: [ { remote: a:1 } ]\n", "off.yaml").admin());
    }

    @Test
    void aListenerMovedOntoTheAdminAddressIsRefused() throws Exception {
        ProxyConfig config = loader.load("listen: 127.0.0.1:8080\nroutes: [ { remote: a:1 } ]\n", "moved.yaml");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config.listeningOn(List.of(new InetSocketAddress("127.0.0.1", 9901))));
        assertTrue(e.getMessage().startsWith("the admin listener needs an address of its own"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> config.withAdmin(Optional.of(new InetSocketAddress("0.0.0.0", 8080))));
        assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 0)),
                config.withAdmin(Optional.of(new InetSocketAddress("127.0.0.1", 0))).admin());
    }

    @Test
    void listenersMovedByTheCommandLineKeepTheirPools() throws Exception {
        ProxyConfig config = loader.load("upstreams: { web: { servers: [a:1, b:2] } }\nroutes: [ { remote: web } ]\n",
                "pools.yaml");
        ProxyConfig moved = config.listeningOn(List.of(new InetSocketAddress("127.0.0.1", 8081)));
        assertEquals(config.pools(), moved.pools());
        assertEquals(List.of("web"), moved.pools().stream().map(Pool::name).toList());
    }

    /** What /config shows: the document as loaded, its secrets hidden, with its file and when it was read. */
    @Test
    void theSourceKeepsTheDocumentWithoutItsSecrets() throws Exception {
        Instant before = Instant.now();
        ProxyConfig config = loader.load("""
                listen: 127.0.0.1:0
                max-connections: 300
                routes:
                  - name: api
                    remote: a:1
                    rewrite:
                      set-headers: { Authorization: Bearer sesame, X-Team: blue }
                      replace-headers: { cookie: session=sesame }
                  - { name: off-route, remote: b:1, match: { path: / } }
                """, "shown.yaml");
        LoadedDocument source = config.source();
        assertEquals("shown.yaml", source.name());
        assertFalse(source.loadedAt().isBefore(before));
        assertEquals(300, source.document().get("max-connections"));
        Map<?, ?> rewrite = (Map<?, ?>) ((Map<?, ?>) ((List<?>) source.document().get("routes")).get(0)).get("rewrite");
        assertEquals(Map.of("Authorization", LoadedDocument.HIDDEN, "X-Team", "blue"), rewrite.get("set-headers"));
        assertEquals(Map.of("cookie", LoadedDocument.HIDDEN), rewrite.get("replace-headers"));
        assertFalse(source.document().toString().contains("sesame"), source.document().toString());
    }

    @Test
    void anUnknownAppIsRefusedWithTheNamesThatExist() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> loader.load("routes:\n  - local: myapp\n", "apps.yaml"));
        assertEquals("apps.yaml:2: routes[0].local: no local app named 'myapp'; the apps are foo, bar", e.getMessage());
    }

    @Test
    void readsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("streamprox.yaml");
        Files.writeString(file, "routes:\n  - remote: 127.0.0.1:80\n    colour: blue\n");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(file));
        assertTrue(e.getMessage().startsWith(file + ":3: routes[0].colour: unknown key"), e.getMessage());
    }
}
