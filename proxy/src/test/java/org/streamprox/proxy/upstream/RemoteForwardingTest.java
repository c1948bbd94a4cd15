package org.streamprox.proxy.upstream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;
import static org.streamprox.testkit.Http.get;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.route.HeadRewrite;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Target;
import org.streamprox.proxy.server.StreamProx;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;

/** Connections tunnelled to real loopback upstreams through a running engine. */
class RemoteForwardingTest {

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    private static Route to(LoopbackServer upstream) {
        return Route.to("upstream", new Target.Remote("127.0.0.1", upstream.port()));
    }

    /** Writes {@code size} seeded random bytes and returns their SHA-256. */
    private static byte[] writeRandom(OutputStream out, long seed, long size) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Random random = new Random(seed);
        byte[] chunk = new byte[64 * 1024];
        for (long sent = 0; sent < size; sent += chunk.length) {
            random.nextBytes(chunk);
            int length = (int) Math.min(chunk.length, size - sent);
            out.write(chunk, 0, length);
            digest.update(chunk, 0, length);
        }
        return digest.digest();
    }

    /** Reads to the end of the stream and returns the SHA-256 of what arrived. */
    private static byte[] digestAll(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, read);
        }
        return digest.digest();
    }

    @Test
    void copies64MiBEachWayIntact() throws Exception {
        long size = 64L * 1024 * 1024;
        CompletableFuture<byte[]> upstreamReceived = new CompletableFuture<>();
        CompletableFuture<byte[]> upstreamSent = new CompletableFuture<>();
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    upstreamReceived.complete(digestAll(socket.getInputStream()));
                } catch (Exception e) {
                    upstreamReceived.completeExceptionally(e);
                }
            });
            upstreamSent.complete(writeRandom(socket.getOutputStream(), 2, size));
            socket.shutdownOutput();
            reader.join();
        })) {
            proxy.start(ProxyExtension.everythingTo(to(upstream)));
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii("POST /bulk HTTP/1.1\r\nHost: a\r\n\r\n"));
                CompletableFuture<byte[]> clientReceived = CompletableFuture.supplyAsync(() -> {
                    try {
                        return digestAll(client.getInputStream());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, command -> Thread.ofVirtual().start(command));
                byte[] clientSent = writeRandom(client.getOutputStream(), 1, size);
                client.shutdownOutput();

                assertArrayEquals(clientSent, upstreamReceived.get(60, TimeUnit.SECONDS));
                assertArrayEquals(upstreamSent.get(60, TimeUnit.SECONDS), clientReceived.get(60, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void clientHalfCloseStillLetsTheUpstreamAnswer() throws Exception {
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            byte[] body = socket.getInputStream().readAllBytes();
            socket.getOutputStream().write(ascii("received " + body.length + " bytes after EOF"));
        })) {
            proxy.start(ProxyExtension.everythingTo(to(upstream)));
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii(get("/half") + "12345"));
                client.shutdownOutput();
                assertEquals("received 5 bytes after EOF", Http.readAll(client));
            }
        }
    }

    @Test
    void upstreamHalfCloseStillLetsTheClientSend() throws Exception {
        CompletableFuture<String> receivedAfterHalfClose = new CompletableFuture<>();
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii("bye"));
            socket.shutdownOutput();
            receivedAfterHalfClose.complete(new String(socket.getInputStream().readAllBytes()));
        })) {
            proxy.start(ProxyExtension.everythingTo(to(upstream)));
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii(get("/half")));
                assertEquals("bye", Http.readAll(client));
                client.getOutputStream().write(ascii("still talking"));
                client.shutdownOutput();
                assertEquals("still talking", receivedAfterHalfClose.get(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void anUpstreamResetMidStreamResetsTheClient() throws Exception {
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(new byte[100_000]);
            socket.setSoLinger(true, 0);
        })) {
            proxy.start(ProxyExtension.everythingTo(to(upstream)));
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii(get("/reset")));
                InputStream in = client.getInputStream();
                assertThrows(SocketException.class, () -> {
                    while (in.read(new byte[8192]) >= 0) {
                        // Drain until the reset arrives; an orderly end of stream would fail the test.
                    }
                });
            }
        }
    }

    @Test
    void aClientResetMidStreamClosesTheUpstream() throws Exception {
        CountDownLatch upstreamSawEnd = new CountDownLatch(1);
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            try {
                socket.getInputStream().transferTo(OutputStream.nullOutputStream());
            } finally {
                upstreamSawEnd.countDown();
            }
        })) {
            proxy.start(ProxyExtension.everythingTo(to(upstream)));
            Socket client = proxy.connect();
            client.getOutputStream().write(ascii(get("/reset") + "partial body"));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> proxy.server().activeCopyLoops() == 2);
            client.setSoLinger(true, 0);
            client.close();
            assertTrue(upstreamSawEnd.await(10, TimeUnit.SECONDS), "upstream connection still open");
        }
    }

    @Test
    void aThousandConcurrentConnectionsAllComplete() throws Exception {
        int connections = 1000;
        try (LoopbackServer upstream = LoopbackServer.echo()) {
            proxy.start(ProxyExtension.everythingTo(to(upstream)));
            AtomicInteger completed = new AtomicInteger();
            CountDownLatch allConnected = new CountDownLatch(connections);
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                String request = get("/c/" + i) + "payload-" + i;
                clients.add(Thread.ofVirtual().start(() -> {
                    try (Socket client = proxy.connect()) {
                        client.getOutputStream().write(ascii(request));
                        allConnected.countDown();
                        // Every connection is open at once before any finishes.
                        allConnected.await(30, TimeUnit.SECONDS);
                        client.shutdownOutput();
                        if (Http.readAll(client).equals(request)) {
                            completed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (Thread client : clients) {
                client.join(Duration.ofSeconds(60));
            }
            assertEquals(connections, completed.get());
            assertEquals(connections, upstream.acceptedConnections());
        }
    }

    @Test
    void theRewrittenHeadIsWhatTheUpstreamSees() throws Exception {
        CompletableFuture<String> seenHead = new CompletableFuture<>();
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            seenHead.complete(Http.readHead(socket.getInputStream()));
            socket.getOutputStream().write(socket.getInputStream().readNBytes(4));
        })) {
            HeadRewrite rewrite = new HeadRewrite(Map.of("Host", "echo.example.org"), Map.of(), List.of("Cookie"),
                    Optional.of(new HeadRewrite.PrefixRewrite("/echo", "")));
            proxy.start(ProxyExtension.everythingTo(new Route("echo",
                    new Target.Remote("127.0.0.1", upstream.port()), rewrite, Optional.empty())));
            try (Socket client = proxy.connect()) {
                String response = Http.exchange(client,
                        "GET /echo/chat HTTP/1.1\r\nHost: localhost:8080\r\nCookie: secret\r\n\r\nbody");
                assertEquals("GET /chat HTTP/1.1\r\nHost: echo.example.org\r\n\r\n", seenHead.get(5, TimeUnit.SECONDS));
                assertEquals("body", response);
            }
        }
    }

    /** The status is read from the first response line as it passes, even when that line comes in pieces. */
    @Test
    void theAccessLogHasTheUpstreamsFirstStatus() throws Exception {
        CountDownLatch firstPieceArrived = new CountDownLatch(1);
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii("HTTP/1.1 4"));
            firstPieceArrived.await();
            socket.getOutputStream().write(ascii("01 Unauthorized\r\nContent-Length: 0\r\n\r\n"));
        })) {
            proxy.start(ProxyExtension.everythingTo(to(upstream)));
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii(get("/secret")));
                assertEquals("HTTP/1.1 4", new String(client.getInputStream().readNBytes(10)));
                firstPieceArrived.countDown();
                assertTrue(Http.readAll(client).startsWith("01 Unauthorized"));
            }
            proxy.awaitQuiet();
            assertTrue(accessLog.lines().get(0).contains(" GET /secret upstream remote 127.0.0.1:" + upstream.port()
                    + " status=401 in="), accessLog.lines().get(0));
        }
    }

    @Test
    void anUpstreamThatDoesNotAnswerInHttpHasNoStatus() throws Exception {
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii("SSH-2.0-OpenSSH_9.2\r\n"));
        })) {
            proxy.start(ProxyExtension.everythingTo(to(upstream)));
            try (Socket client = proxy.connect()) {
                assertEquals("SSH-2.0-OpenSSH_9.2\r\n", Http.exchange(client, get("/ssh")));
            }
            proxy.awaitQuiet();
            assertTrue(accessLog.lines().get(0).contains(" status=- in="), accessLog.lines().get(0));
        }
    }

    @Test
    void aSilentTunnelIsClosedAfterItsIdleTimeout() throws Exception {
        try (LoopbackServer upstream = LoopbackServer.start(socket -> socket.getInputStream().readAllBytes())) {
            proxy.start(ProxyExtension.everythingTo(new Route("idle",
                    new Target.Remote("127.0.0.1", upstream.port()), HeadRewrite.NONE,
                    Optional.of(Duration.ofMillis(300)))));
            try (Socket client = proxy.connect()) {
                long start = System.nanoTime();
                client.getOutputStream().write(ascii(get("/idle")));
                assertThrows(SocketException.class, () -> client.getInputStream().read());
                long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(elapsedMillis >= 290 && elapsedMillis < 5000, "closed after " + elapsedMillis + " ms");
            }
        }
    }

    @Test
    void trafficInOneDirectionKeepsTheTunnelFromIdling() throws Exception {
        int chunks = 8;
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            // Only the upstream talks, in bursts closer together than the idle timeout.
            for (int i = 0; i < chunks; i++) {
                socket.getOutputStream().write('x');
                socket.getInputStream().readNBytes(1);
            }
        })) {
            proxy.start(ProxyExtension.everythingTo(new Route("chatty",
                    new Target.Remote("127.0.0.1", upstream.port()), HeadRewrite.NONE,
                    Optional.of(Duration.ofMillis(400)))));
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii(get("/chatty")));
                for (int i = 0; i < chunks; i++) {
                    assertEquals('x', client.getInputStream().read());
                    client.getOutputStream().write('k');
                }
                assertEquals(-1, client.getInputStream().read());
            }
        }
    }

    @Test
    void aRemoteConnectionRunsExactlyTwoCopyLoops() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (LoopbackServer upstream = LoopbackServer.start(socket -> release.await())) {
            proxy.start(ProxyExtension.everythingTo(to(upstream)));
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii(get("/loops")));
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> proxy.server().activeCopyLoops() == 2);
                assertEquals(1, proxy.server().openConnections());
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void shutdownLetsTransfersFinishWithinTheDrainTimeThenRefusesNewConnections() throws Exception {
        CountDownLatch finishTransfer = new CountDownLatch(1);
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            finishTransfer.await();
            socket.getOutputStream().write(ascii("finished"));
        })) {
            StreamProx server = proxy.start(ProxyExtension.everythingTo(to(upstream)));
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii(get("/drain")));
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> server.activeCopyLoops() == 2);
                CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
                    try {
                        return server.stop(Duration.ofSeconds(10));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThrows(IOException.class, () -> new Socket("127.0.0.1",
                                server.localAddress().getPort()).close()));
                finishTransfer.countDown();
                assertEquals("finished", Http.readAll(client));
                client.shutdownOutput();
                assertTrue(drained.get(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void shutdownCutsConnectionsStillOpenAtTheDrainTimeout() throws Exception {
        try (LoopbackServer upstream = LoopbackServer.start(socket -> socket.getInputStream().readAllBytes())) {
            StreamProx server = proxy.start(ProxyExtension.everythingTo(to(upstream)));
            try (Socket client = proxy.connect()) {
                client.getOutputStream().write(ascii(get("/stuck")));
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> server.activeCopyLoops() == 2);
                long start = System.nanoTime();
                assertFalse(server.stop(Duration.ofMillis(300)));
                long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(elapsedMillis >= 290 && elapsedMillis < 5000, "took " + elapsedMillis + " ms");
                assertThrows(SocketException.class, () -> client.getInputStream().read());
                assertEquals(0, server.openConnections());
            }
        }
    }
}
