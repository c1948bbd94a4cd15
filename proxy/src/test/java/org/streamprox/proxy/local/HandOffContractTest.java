package org.streamprox.proxy.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Target;
import org.streamprox.proxy.server.StreamProx;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.ProxyExtension;

/**
 * The engine's side of a hand-off, with a plain app written here instead of Jetty: what the app gets, when the
 * engine lets go, and how the app's end of the connection ends its record.
 */
class HandOffContractTest {

    private static final String HEAD = "POST /app HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n";

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    /** Echoes the buffered bytes, then everything the client sends until it half-closes. */
    private static final class EchoApp implements LocalApps {

        final CountDownLatch serving = new CountDownLatch(1);
        volatile IOException refusal;

        @Override
        public Set<String> names() {
            return Set.of("echo");
        }

        @Override
        public void start(HeadLimits head) {
        }

        @Override
        public void handOff(HandOff handOff) throws IOException {
            if (refusal != null) {
                throw refusal;
            }
            Thread.ofVirtual().start(() -> serve(handOff));
        }

        private void serve(HandOff handOff) {
            long in = 0;
            long out = 0;
            Outcome outcome = Outcome.OK;
            try (var channel = handOff.channel()) {
                out += write(handOff, handOff.bufferedBytes());
                serving.countDown();
                ByteBuffer buffer = ByteBuffer.allocate(1024);
                int read;
                while ((read = channel.read(buffer.clear())) >= 0) {
                    in += read;
                    out += write(handOff, buffer.flip());
                }
            } catch (IOException e) {
                outcome = Outcome.closed(e.toString());
            }
            handOff.connection().countBytes(in, out);
            handOff.connection().finish(outcome);
        }

        private static int write(HandOff handOff, ByteBuffer bytes) throws IOException {
            int count = bytes.remaining();
            while (bytes.hasRemaining()) {
                handOff.channel().write(bytes);
            }
            return count;
        }

        @Override
        public void stop(Duration timeout) {
        }
    }

    private StreamProx start(EchoApp app) throws Exception {
        return proxy.start(ProxyExtension.everythingTo(Route.to("app", new Target.Local("echo"))),
                UnaryOperator.identity(), app);
    }

    @Test
    void theAppGetsWhatWasReadAndItsEndIsTheConnectionsEnd() throws Exception {
        EchoApp app = new EchoApp();
        StreamProx server = start(app);
        String sent = HEAD + "first part of the body";
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write(Http.ascii(sent));
            assertTrue(app.serving.await(5, TimeUnit.SECONDS), "never handed off");
            assertEquals(sent, new String(client.getInputStream().readNBytes(sent.length())));

            // The app serves it now: no engine thread or copy loop, but its place is still taken.
            assertEquals(0, server.openConnections());
            assertEquals(0, server.activeCopyLoops());
            assertEquals(1, server.admittedConnections());

            client.getOutputStream().write(Http.ascii("and the rest"));
            client.shutdownOutput();
            assertEquals("and the rest", Http.readAll(client));
        }
        long bytes = sent.length() + "and the rest".length();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.admittedConnections() == 0);
        assertEquals(1, accessLog.lines().size(), accessLog.lines().toString());
        String line = accessLog.lines().get(0);
        assertTrue(line.matches("#\\d+ 127\\.0\\.0\\.1:\\d+ POST /app app local echo status=- in=" + bytes + " out=" + bytes
                + " \\d+ms ok"), line);
    }

    @Test
    void aHandOffTheAppRefusesIsClosedAndLogged() throws Exception {
        EchoApp app = new EchoApp();
        app.refusal = new IOException("the app is full");
        start(app);
        try (Socket client = proxy.connect()) {
            client.getOutputStream().write(Http.ascii(HEAD));
            assertEquals(0, Http.countUntilTheEnd(client.getInputStream()));
        }
        proxy.awaitQuiet();
        assertEquals(1, accessLog.lines().size(), accessLog.lines().toString());
        assertTrue(accessLog.lines().get(0).endsWith(" failed: the app is full"), accessLog.lines().get(0));
    }
}
