package org.streamprox.proxy.local;

import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streamprox.proxy.ProxyServer;
import org.streamprox.proxy.ProxySettings;
import org.streamprox.proxy.route.RequestMatcher;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.RuleRouter;
import org.streamprox.proxy.route.Target;

/**
 * A running proxy on a loopback port whose routes all lead to local apps, for tests. Closing it checks that
 * the test left nothing behind: every connection closed on both sides of the hand-off, and, once both servers
 * have stopped, no thread left running.
 */
public final class LocalProxy implements AutoCloseable {

    private static final Duration SETTLE = Duration.ofSeconds(5);

    private final ThreadLeakCheck threads = ThreadLeakCheck.snapshot();
    private final JettyLocalApps apps;
    private final ProxyServer proxy;

    private LocalProxy(JettyLocalApps apps, ProxySettings settings, Map<String, String> appsByPathPrefix)
            throws Exception {
        this.apps = apps.start();
        List<RuleRouter.Rule> rules = new ArrayList<>();
        appsByPathPrefix.forEach((prefix, app) -> rules.add(
                new RuleRouter.Rule(RequestMatcher.pathPrefix(prefix), Route.to(app, new Target.Local(app)))));
        this.proxy = new ProxyServer(settings, new RuleRouter(rules), apps).start();
    }

    /** Routes each path prefix, first match first, to the app of that name. */
    public static LocalProxy start(JettyLocalApps apps, Map<String, String> appsByPathPrefix) throws Exception {
        return start(apps, loopback(), appsByPathPrefix);
    }

    public static LocalProxy start(JettyLocalApps apps, ProxySettings settings,
                                   Map<String, String> appsByPathPrefix) throws Exception {
        return new LocalProxy(apps, settings, new LinkedHashMap<>(appsByPathPrefix));
    }

    /** Default settings on an ephemeral loopback port, with a short drain so a failing test stops quickly. */
    public static ProxySettings loopback() {
        return ProxySettings.listeningOn(new InetSocketAddress("127.0.0.1", 0))
                .withDrainTimeout(Duration.ofSeconds(2));
    }

    public InetSocketAddress address() {
        return proxy.localAddress();
    }

    /** {@code http://127.0.0.1:PORT} followed by the path. */
    public String url(String scheme, String path) {
        return scheme + "://127.0.0.1:" + address().getPort() + path;
    }

    public ProxyServer proxy() {
        return proxy;
    }

    public JettyLocalApps apps() {
        return apps;
    }

    /** Waits until neither the engine nor Jetty (in that order) holds a connection: the test's clients are all closed. */
    public void awaitNoOpenConnections() {
        await("connections closed on both sides of the hand-off").atMost(SETTLE)
                .until(() -> List.of(proxy.openConnections(), apps.openConnections()), List.of(0, 0)::equals);
    }

    @Override
    public void close() throws Exception {
        try {
            awaitNoOpenConnections();
        } finally {
            proxy.shutdown(Duration.ofSeconds(2));
            apps.stop(Duration.ofSeconds(2));
        }
        threads.awaitNoneLeaked(SETTLE);
    }
}
