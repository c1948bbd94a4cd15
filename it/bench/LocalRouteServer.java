import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.streamprox.apps.BuiltInApps;
import org.streamprox.apps.EchoSocket;
import org.streamprox.apps.host.JettyLocalApps;
import org.streamprox.proxy.config.ProxySettings;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.route.RequestMatcher;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.RuleRouter;
import org.streamprox.proxy.route.Target;
import org.streamprox.proxy.server.StreamProx;

/**
 * The benchmark's local-route server: one trivial Jetty core handler (13 bytes, as the nginx upstream's
 * {@code /small}) served either through StreamProx's hand-off or on an ordinary Jetty connector, one way per JVM
 * so that each process's CPU time is that way's alone.
 *
 * <p>{@code java -cp demos/target/streamprox.jar it/bench/LocalRouteServer.java handoff|connector PORT}
 * <ul>
 * <li>{@code handoff}: a StreamProx listener ({@link StreamProx}, default settings, access log on as shipped)
 *     routing {@code /ws...} to the built-in {@code ws-echo} app and every other path to the handler, all by
 *     hand-off to {@link JettyLocalApps}.
 * <li>{@code connector}: a plain Jetty {@link ServerConnector} configured as {@code JettyLocalApps} configures
 *     its hand-off connector, serving the same handler and, under {@code /ws/}, WebSocket echo with the built-in
 *     app's {@link EchoSocket}; it is also the WebSocket benchmark's echo server.
 * </ul>
 * Listens on 127.0.0.1:PORT until killed.
 */
public final class LocalRouteServer {

    private static final String BENCH_APP = "bench";

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !List.of("handoff", "connector").contains(args[0])) {
            System.err.println("usage: LocalRouteServer handoff|connector PORT");
            System.exit(2);
        }
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]));
        if (args[0].equals("handoff")) {
            handOff(address);
        } else {
            connector(address);
        }
    }

    /** As {@code Main} does with a configuration of two local routes. */
    private static void handOff(InetSocketAddress address) throws Exception {
        JettyLocalApps apps = new JettyLocalApps();
        BuiltInApps.registerAll(apps, BuiltInApps.Options.defaults());
        apps.register(BENCH_APP, new Hello());
        RuleRouter router = new RuleRouter(List.of(
                new RuleRouter.Rule(RequestMatcher.pathPrefix("/ws"),
                        Route.to("ws-echo", new Target.Local(BuiltInApps.WS_ECHO))),
                new RuleRouter.Rule(RequestMatcher.pathPrefix("/"), Route.to(BENCH_APP, new Target.Local(BENCH_APP)))));
        StreamProx.start(ProxySettings.listeningOn(address), router, apps);
    }

    /**
     * The same Jetty setup as {@code JettyLocalApps}' hand-off connector, so only the way connections arrive
     * differs: a virtual-thread pool, one selector (the hand-off connector's count), header and input-buffer
     * sizes raised to the engine's head limit, the same idle timeout and TCP_NODELAY (ServerConnector's default).
     * One acceptor thread stands in for the engine's accept loop; the backlog is the engine's 1024.
     */
    private static void connector(InetSocketAddress address) throws Exception {
        Server server = new Server(new VirtualThreadPool());
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(Math.max(http.getRequestHeaderSize(), HeadLimits.DEFAULT_MAX_BYTES));
        http.setSendServerVersion(false);
        HttpConnectionFactory factory = new HttpConnectionFactory(http);
        factory.setInputBufferSize(Math.max(factory.getInputBufferSize(), HeadLimits.DEFAULT_MAX_BYTES));
        ServerConnector connector = new ServerConnector(server, 1, 1, factory);
        connector.setHost(address.getHostString());
        connector.setPort(address.getPort());
        connector.setIdleTimeout(JettyLocalApps.DEFAULT_IDLE_TIMEOUT.toMillis());
        connector.setAcceptedTcpNoDelay(true);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);

        // WebSocket echo under /ws/ as the built-in ws-echo app does it: its EchoSocket, its idle timeout.
        ContextHandler echo = new ContextHandler("/ws");
        echo.setHandler(WebSocketUpgradeHandler.from(server, echo, container -> {
            container.setIdleTimeout(BuiltInApps.Options.DEFAULT_WEBSOCKET_IDLE_TIMEOUT);
            container.addMapping("/*", (request, response, callback) -> new EchoSocket());
        }));
        // The context declines paths outside /ws, which fall through to the handler.
        server.setHandler(new Handler.Sequence(echo, new Hello()));
        server.start();
    }

    /** The handler both ways serve: 13 bytes, no blocking. */
    static final class Hello extends Handler.Abstract.NonBlocking {

        private static final ByteBuffer BODY = ByteBuffer.wrap("hello, world\n".getBytes(StandardCharsets.US_ASCII))
                .asReadOnlyBuffer();

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, BODY.remaining());
            response.write(true, BODY.duplicate(), callback);
            return true;
        }
    }
}
