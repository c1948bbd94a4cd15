package org.streamprox.testkit;

import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.config.ProxySettings;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.route.RequestMatcher;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Router;
import org.streamprox.proxy.route.RuleRouter;
import org.streamprox.proxy.server.StreamProx;

/**
 * Runs a real {@link StreamProx} on a loopback port for one test and, after it, asserts that the engine has
 * no connection, place or copy loop left before stopping it.
 */
public final class ProxyExtension implements AfterEachCallback {

    private static final InetSocketAddress FREE_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private StreamProx server;

    public StreamProx start(Router router) throws Exception {
        return start(router, UnaryOperator.identity(), LocalApps.NONE);
    }

    public StreamProx start(Router router, UnaryOperator<ProxySettings> settings, LocalApps apps) throws Exception {
        return keep(() -> StreamProx.start(settings.apply(ProxySettings.listeningOn(FREE_PORT)), router, apps));
    }

    /** Starts the configuration's only listener, on a free loopback port whatever it says, and its pools. */
    public StreamProx start(ProxyConfig config) throws Exception {
        return keep(() -> StreamProx.start(config.listeningOn(List.of(FREE_PORT)), LocalApps.NONE));
    }

    /** Starts the configuration's only listener, on a free loopback port, keeping the engine's meters there. */
    public StreamProx start(ProxyConfig config, MeterRegistry registry) throws Exception {
        return keep(() -> StreamProx.start(config.listeningOn(List.of(FREE_PORT)), LocalApps.NONE, registry));
    }

    private StreamProx keep(Callable<StreamProx> starting) throws Exception {
        if (server != null) {
            throw new IllegalStateException("one proxy per test");
        }
        server = starting.call();
        return server;
    }

    /** Starts every listener of the configuration where it says, as the command line does. */
    public StreamProx startAsConfigured(ProxyConfig config) throws Exception {
        return keep(() -> StreamProx.start(config, LocalApps.NONE));
    }

    /** A router whose single rule sends every connection to the route. */
    public static Router everythingTo(Route route) {
        return new RuleRouter(List.of(new RuleRouter.Rule(RequestMatcher.all(List.of()), route)));
    }

    public StreamProx server() {
        return server;
    }

    /** A new client connection to the proxy. */
    public Socket connect() throws Exception {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.localAddress().getPort());
        socket.setSoTimeout(30_000);
        return socket;
    }

    /**
     * Waits (bounded) until the engine holds no connection, runs no copy loop, and no connection it handed to
     * a local app is still open.
     */
    public void awaitQuiet() {
        await("engine connections and copy loops to drain").atMost(Duration.ofSeconds(10))
                .until(() -> server.openConnections() == 0 && server.activeCopyLoops() == 0
                        && server.admittedConnections() == 0);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (server == null) {
            return;
        }
        try {
            awaitQuiet();
        } finally {
            server.stop(Duration.ofSeconds(1));
            server = null;
        }
    }
}
