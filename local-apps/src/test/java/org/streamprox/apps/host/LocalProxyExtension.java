package org.streamprox.apps.host;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.streamprox.proxy.config.ProxySettings;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.route.RequestMatcher;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Router;
import org.streamprox.proxy.route.RuleRouter;
import org.streamprox.proxy.route.Target;
import org.streamprox.proxy.server.StreamProx;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.ThreadLeakCheck;

/**
 * Runs a real proxy whose routes lead to {@link JettyLocalApps} for one test. After it, checks both sides of
 * the hand-off in order: the engine (as {@link ProxyExtension} does), then Jetty, which must hold no
 * connection either; stops both; and checks that no thread started during the test outlives it.
 */
public final class LocalProxyExtension implements BeforeEachCallback, AfterEachCallback {

    private static final Duration SETTLE = Duration.ofSeconds(5);

    private final ProxyExtension engine = new ProxyExtension();
    private ThreadLeakCheck threads;
    private JettyLocalApps apps;

    /**
     * Starts a proxy, and with it the apps, registered beforehand, routing each path prefix to its app, first match
     * first in the map's iteration order.
     */
    public StreamProx start(JettyLocalApps registered, Map<String, String> appsByPathPrefix) throws Exception {
        return start(registered, appsByPathPrefix, UnaryOperator.identity());
    }

    public StreamProx start(JettyLocalApps registered, Map<String, String> appsByPathPrefix,
                            UnaryOperator<ProxySettings> settings) throws Exception {
        return start(registered, registered, appsByPathPrefix, settings);
    }

    /** As above, with the engine handing connections to {@code served}, which passes them on to the registered apps. */
    public StreamProx start(JettyLocalApps registered, LocalApps served, Map<String, String> appsByPathPrefix,
                            UnaryOperator<ProxySettings> settings) throws Exception {
        if (apps != null) {
            throw new IllegalStateException("one proxy per test");
        }
        apps = registered;
        return engine.start(byPathPrefix(appsByPathPrefix), settings, served);
    }

    /** {@code SCHEME://127.0.0.1:PORT/PATH} on the proxy's port. */
    public String url(String scheme, String path) {
        return scheme + "://127.0.0.1:" + engine.server().localAddress().getPort() + path;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        threads = ThreadLeakCheck.snapshot();
    }

    /**
     * Waits (bounded) until every connection has finished on both sides of the hand-off, its access-log line
     * written.
     */
    public void awaitQuiet() {
        engine.awaitQuiet();
        await("Jetty connections to close").atMost(SETTLE).until(apps::openConnections, open -> open == 0);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            if (apps != null) {
                awaitQuiet();
            }
        } finally {
            engine.afterEach(context);
        }
        threads.awaitNoneLeaked(SETTLE);
    }

    private static Router byPathPrefix(Map<String, String> appsByPathPrefix) {
        List<RuleRouter.Rule> rules = new ArrayList<>();
        appsByPathPrefix.forEach((prefix, app) -> rules.add(
                new RuleRouter.Rule(RequestMatcher.pathPrefix(prefix), Route.to(app, new Target.Local(app)))));
        return new RuleRouter(rules);
    }
}
