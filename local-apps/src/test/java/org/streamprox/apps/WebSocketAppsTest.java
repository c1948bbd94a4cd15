package org.streamprox.apps;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.apps.host.JettyLocalApps;
import org.streamprox.apps.host.LocalProxyExtension;
import org.streamprox.proxy.server.StreamProx;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.WebSocketProbe;

/** The WebSocket apps through the proxy port: the upgrade and everything after it happen on handed-off sockets. */
class WebSocketAppsTest {

    private static final Pattern FRAME = Pattern.compile(
            "\\{\"timestamp\": \"([^\"]+)\", \"imgdata\": \"([A-Za-z0-9+/=]+)\"}");

    @RegisterExtension
    final LocalProxyExtension proxy = new LocalProxyExtension();

    private JettyLocalApps apps;
    private StreamProx server;

    private void start(JettyLocalApps registered, String app) throws Exception {
        apps = registered;
        server = proxy.start(registered, Map.of("/", app));
    }

    private void startEcho(JettyLocalApps unstarted) throws Exception {
        unstarted.register(BuiltInApps.WS_ECHO, BuiltInApps.wsEcho(unstarted.server(),
                BuiltInApps.Options.DEFAULT_WEBSOCKET_IDLE_TIMEOUT));
        start(unstarted, BuiltInApps.WS_ECHO);
    }

    private MjpegStream startMjpeg(double framesPerSecond) throws Exception {
        JettyLocalApps unstarted = new JettyLocalApps();
        MjpegStream stream = new MjpegStream(framesPerSecond);
        unstarted.register(BuiltInApps.MJPEG, BuiltInApps.mjpeg(unstarted.server(), stream,
                BuiltInApps.Options.DEFAULT_WEBSOCKET_IDLE_TIMEOUT));
        start(unstarted, BuiltInApps.MJPEG);
        return stream;
    }

    @Test
    void echoesTextAndBinaryWithoutAnEngineCopyLoop() throws Exception {
        startEcho(new JettyLocalApps());
        try (WebSocketProbe probe = WebSocketProbe.connect(proxy.url("ws", "/echo"))) {
            probe.sendText("WebSocket rocks");
            assertEquals("WebSocket rocks", probe.nextText());
            byte[] binary = {0, 1, 2, (byte) 0xff, 13, 10};
            probe.sendBinary(binary);
            assertArrayEquals(binary, probe.nextBinary());
            assertEquals(0, server.activeCopyLoops());
            // The engine's thread lets go of the connection just after handing it to Jetty, which may already
            // have answered: wait for it, as the hand-off tests do.
            await().atMost(Duration.ofSeconds(5)).until(server::openConnections, open -> open == 0);
            assertEquals(1, apps.openConnections());
        }
    }

    @Test
    void echoesOneMebibyteMessages() throws Exception {
        startEcho(new JettyLocalApps());
        byte[] binary = new byte[1024 * 1024];
        new Random(42).nextBytes(binary);
        String text = "0123456789abcdef".repeat(64 * 1024);
        try (WebSocketProbe probe = WebSocketProbe.connect(proxy.url("ws", "/"))) {
            probe.sendBinary(binary);
            assertArrayEquals(binary, probe.nextBinary());
            probe.sendText(text);
            assertEquals(text, probe.nextText());
        }
    }

    @Test
    void webSocketOutlivesTheConnectorsIdleTimeout() throws Exception {
        Duration connectorIdle = Duration.ofMillis(300);
        startEcho(new JettyLocalApps(connectorIdle));
        try (WebSocketProbe probe = WebSocketProbe.connect(proxy.url("ws", "/"))) {
            await().during(connectorIdle.multipliedBy(4)).atMost(connectorIdle.multipliedBy(6))
                    .until(probe::isOpen);
            probe.sendText("still here");
            assertEquals("still here", probe.nextText());
        }
    }

    @Test
    void mjpegStreamSendsJpegFramesWithIncreasingTimestamps() throws Exception {
        startMjpeg(20);
        try (WebSocketProbe viewer = WebSocketProbe.connect(proxy.url("ws", "/websocketdemo"))) {
            Instant previous = Instant.MIN;
            for (int i = 0; i < 3; i++) {
                Matcher frame = FRAME.matcher(viewer.nextText());
                assertTrue(frame.matches(), "not a frame message");
                Instant timestamp = Instant.parse(frame.group(1));
                assertTrue(timestamp.isAfter(previous), timestamp + " after " + previous);
                previous = timestamp;
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(
                        Base64.getDecoder().decode(frame.group(2))));
                assertNotNull(image, "not a decodable JPEG");
                assertEquals(FrameRenderer.WIDTH, image.getWidth());
                assertEquals(FrameRenderer.HEIGHT, image.getHeight());
            }
        }
    }

    @Test
    void slowViewerHasFramesDroppedWhileOthersKeepReceiving() throws Exception {
        MjpegStream stream = startMjpeg(250);
        try (Socket stalled = new Socket()) {
            // Upgrades, then never reads: its small receive window fills and the frames sent to it stop completing.
            stalled.setReceiveBufferSize(4096);
            stalled.connect(server.localAddress());
            stalled.getOutputStream().write(Http.ascii("GET /websocketdemo HTTP/1.1\r\nHost: test\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n"));
            try (WebSocketProbe viewer = WebSocketProbe.connect(proxy.url("ws", "/websocketdemo"))) {
                await().atMost(Duration.ofSeconds(20)).until(stream::framesDropped, dropped -> dropped > 0);
                long droppedBefore = stream.framesDropped();
                Instant stalledSince = Instant.now();
                Instant latest = Instant.MIN;
                while (!latest.isAfter(stalledSince)) {
                    Matcher frame = FRAME.matcher(viewer.nextText());
                    assertTrue(frame.matches(), "not a frame message");
                    latest = Instant.parse(frame.group(1));
                }
                await().atMost(Duration.ofSeconds(5)).until(stream::framesDropped,
                        dropped -> dropped >= droppedBefore + 5);
                assertEquals(2, stream.viewers());
            }
        }
    }
}
