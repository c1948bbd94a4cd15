package org.streamprox.proxy.local;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.streamprox.proxy.ProxyServer;
import org.streamprox.proxy.route.RequestMatcher;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Router;
import org.streamprox.proxy.route.RuleRouter;
import org.streamprox.proxy.route.Target;

/**
 * Runs {@link JettyLocalApps} for one test and, after it, asserts that Jetty holds no connection, stops it, and
 * checks that no thread started during the test outlives it. Register it before the {@code ProxyExtension}
 * ({@code @Order}), so the proxy is checked and stopped first.
 */
public final class LocalAppsExtension implements BeforeEachCallback, AfterEachCallback {

    private static final Duration SETTLE = Duration.ofSeconds(5);

    private ThreadLeakCheck threads;
    private JettyLocalApps apps;

    /** Starts the apps, registered beforehand. */
    public JettyLocalApps start(JettyLocalApps registered) throws Exception {
        if (apps != null) {
            throw new IllegalStateException("one set of local apps per test");
        }
        apps = registered.start();
        return apps;
    }

    /** Routes each path prefix, in the map's order, to the local app of that name. */
    public static Router byPathPrefix(Map<String, String> appsByPathPrefix) {
        List<RuleRouter.Rule> rules = new ArrayList<>();
        new LinkedHashMap<>(appsByPathPrefix).forEach((prefix, app) -> rules.add(
                new RuleRouter.Rule(RequestMatcher.pathPrefix(prefix), Route.to(app, new Target.Local(app)))));
        return new RuleRouter(rules);
    }

    /** {@code SCHEME://127.0.0.1:PORT/PATH} on the proxy's port. */
    public static String url(ProxyServer proxy, String scheme, String path) {
        return scheme + "://127.0.0.1:" + proxy.localAddress().getPort() + path;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        threads = ThreadLeakCheck.snapshot();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (apps != null) {
            try {
                await("Jetty connections to close").atMost(SETTLE).until(apps::openConnections, open -> open == 0);
            } finally {
                apps.stop(Duration.ofSeconds(2));
            }
        }
        threads.awaitNoneLeaked(SETTLE);
    }
}
