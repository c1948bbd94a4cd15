package org.streamprox.apps;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.streamprox.apps.host.JettyLocalApps;

/** The apps StreamProx ships, and the one place that names them. */
public final class BuiltInApps {

    /** Basic-auth protected (tom/tom, realm StreamProx); answers {@code FOO!}. */
    public static final String FOO = "foo";
    /** Open; answers {@code BAR!}. */
    public static final String BAR = "bar";
    /** The motion-JPEG page, and its WebSocket stream at {@code /websocketdemo}. */
    public static final String MJPEG = "mjpeg";
    /** The WebSocket echo test page; its WebSocket goes to {@code /} on the page's own origin. */
    public static final String ECHO_PAGE = "echo-page";
    /** A WebSocket echo endpoint on every path, text and binary. */
    public static final String WS_ECHO = "ws-echo";
    /** The page linking every demo of the default configuration. */
    public static final String INDEX = "index";

    /** Every name {@link #registerAll} registers, in its order, for help texts. */
    public static final List<String> NAMES = List.of(FOO, BAR, MJPEG, ECHO_PAGE, WS_ECHO, INDEX);

    static final String REALM = "StreamProx";
    static final String MJPEG_STREAM_PATH = "/websocketdemo";

    /**
     * @param mjpegFramesPerSecond how often the motion-JPEG stream renders and sends a frame
     * @param webSocketIdleTimeout how long a WebSocket session of the built-in apps may stay silent
     */
    public record Options(double mjpegFramesPerSecond, Duration webSocketIdleTimeout) {

        public static final double DEFAULT_MJPEG_FRAMES_PER_SECOND = 10;
        public static final Duration DEFAULT_WEBSOCKET_IDLE_TIMEOUT = Duration.ofMinutes(5);

        public static Options defaults() {
            return new Options(DEFAULT_MJPEG_FRAMES_PER_SECOND, DEFAULT_WEBSOCKET_IDLE_TIMEOUT);
        }

        public Options withMjpegFramesPerSecond(double framesPerSecond) {
            return new Options(framesPerSecond, webSocketIdleTimeout);
        }
    }

    private BuiltInApps() {
    }

    /** Registers every built-in app under its name. */
    public static void registerAll(JettyLocalApps apps, Options options) {
        Server server = apps.server();
        apps.register(FOO, foo())
                .register(BAR, FixedResponse.text("BAR!"))
                .register(MJPEG, mjpeg(server, new MjpegStream(options.mjpegFramesPerSecond()),
                        options.webSocketIdleTimeout()))
                .register(ECHO_PAGE, FixedResponse.page("echo.html"))
                .register(WS_ECHO, wsEcho(server, options.webSocketIdleTimeout()))
                .register(INDEX, FixedResponse.page("index.html"));
    }

    static Handler foo() {
        return BasicAuth.protect(FixedResponse.text("FOO!"), REALM, "tom", "tom");
    }

    /** The page on every path but the stream's; the stream lives and dies with the app. */
    static Handler mjpeg(Server server, MjpegStream stream, Duration idleTimeout) {
        ContextHandler app = WebSocketApp.create(server, MJPEG_STREAM_PATH,
                (request, response, callback) -> {
                    // Compression would deflate each shared frame once per viewer; JPEG hardly shrinks anyway.
                    response.setExtensions(List.of());
                    return new MjpegViewer(stream);
                }, idleTimeout,
                FixedResponse.page("mjpeg.html"));
        app.addManaged(stream);
        return app;
    }

    static Handler wsEcho(Server server, Duration idleTimeout) {
        return WebSocketApp.create(server, "/*", (request, response, callback) -> new EchoSocket(), idleTimeout,
                new FixedResponse(426, "text/plain; charset=utf-8",
                        "This is a WebSocket echo endpoint: connect with a WebSocket client.\n".getBytes(UTF_8)));
    }
}
