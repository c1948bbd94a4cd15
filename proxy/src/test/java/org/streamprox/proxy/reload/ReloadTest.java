package org.streamprox.proxy.reload;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;
import static org.streamprox.testkit.Http.get;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.FreePorts;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.TestCertificates;

/**
 * Reloading a running proxy from its file: new connections take the new configuration, connections already open
 * keep theirs and go on, listeners are bound, drained or left alone by their address, and a file that does not load
 * changes nothing.
 */
class ReloadTest {

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    @TempDir
    Path directory;

    private Path file;
    private LoopbackServer upstreamA;
    private LoopbackServer upstreamB;
    private final List<Socket> clients = new ArrayList<>();

    @BeforeEach
    void startUpstreams() throws IOException {
        file = directory.resolve("streamprox.yaml");
        upstreamA = named("A");
        upstreamB = named("B");
    }

    @AfterEach
    void closeClients() throws Exception {
        for (Socket client : clients) {
            client.close();
        }
        upstreamA.close();
        upstreamB.close();
    }

    /** An upstream that answers a head with its name on a line, then echoes whatever comes. */
    private static LoopbackServer named(String name) throws IOException {
        return LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii(name + "\n"));
            socket.getInputStream().transferTo(socket.getOutputStream());
        });
    }

    /** Writes the configuration file and starts the proxy with it; the reloader reads the same file again. */
    private ConfigReloader start(String yaml) throws Exception {
        Files.writeString(file, yaml);
        ConfigSource source = ConfigSource.file(file, new ConfigLoader(Set.of()));
        ProxyConfig config = source.read();
        return new ConfigReloader(proxy.startAsConfigured(config), source, config);
    }

    private ReloadResult reload(ConfigReloader reloader, String yaml) throws IOException {
        Files.writeString(file, yaml);
        return reloader.reload();
    }

    /** One listener on a port of its own choosing, everything to the upstream. */
    private static String everythingTo(LoopbackServer upstream, String more) {
        return "listen: 127.0.0.1:0\n" + more + "routes:\n  - { name: site, remote: 127.0.0.1:" + upstream.port()
                + " }\n";
    }

    /** A connection whose head has been answered: it is a tunnel to the upstream named in the answer. */
    private Tunnel open(InetSocketAddress address) throws IOException {
        Socket socket = new Socket(address.getAddress(), address.getPort());
        clients.add(socket);
        return Tunnel.over(socket);
    }

    private String upstreamOfANewConnection(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            return Tunnel.over(socket).upstream();
        }
    }

    /** A client's connection through the proxy to one of the named upstreams. */
    private record Tunnel(Socket socket, BufferedReader lines, String upstream) {

        static Tunnel over(Socket socket) throws IOException {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(ascii(get("/")));
            BufferedReader lines = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            return new Tunnel(socket, lines, lines.readLine());
        }

        /** Sends a line and returns what comes back: the upstream's echo, while the tunnel lasts. */
        String echo(String line) throws IOException {
            socket.getOutputStream().write(ascii(line + "\n"));
            return lines.readLine();
        }
    }

    @Test
    void newConnectionsTakeTheNewRoutesWhileAnOpenTunnelGoesOnWithItsOwn() throws Exception {
        ConfigReloader reloader = start(everythingTo(upstreamA, ""));
        InetSocketAddress address = proxy.server().localAddress();
        Tunnel before = open(address);
        assertEquals("A", before.upstream());

        ReloadResult result = reload(reloader, everythingTo(upstreamB, ""));

        assertTrue(result.ok(), result.message());
        assertEquals("listeners kept: " + "127.0.0.1:" + address.getPort() + "; added: none; removed: none",
                result.message());
        assertEquals(address, proxy.server().localAddress(), "the listening socket is the same");
        assertEquals("B", upstreamOfANewConnection(address));
        assertEquals("still A", before.echo("still A"), "the tunnel opened before carries bytes after the reload");
        assertEquals(1, reloader.succeeded());
        assertEquals(0, reloader.failed());
    }

    @Test
    void aFileThatDoesNotLoadChangesNothingAndCountsAsAFailedReload() throws Exception {
        ConfigReloader reloader = start(everythingTo(upstreamA, ""));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        reloader.bindTo(registry);
        Instant loadedAt = reloader.loadedAt();
        InetSocketAddress address = proxy.server().localAddress();

        ReloadResult result = reload(reloader, "listen: 127.0.0.1:0\nroutes:\n  - remote: 127.0.0.1:"
                + upstreamB.port() + "\n    match: { path: }\n");

        assertFalse(result.ok());
        assertEquals(file + ":4: routes[0].match.path: must not be empty", result.message());
        assertEquals(result, reloader.lastResult().orElseThrow());
        assertEquals("A", upstreamOfANewConnection(address));
        assertEquals(loadedAt, reloader.loadedAt());
        assertEquals(1.0, registry.get("streamprox.reloads").tag("result", "failed").functionCounter().count());
        assertEquals(0.0, registry.get("streamprox.reloads").tag("result", "ok").functionCounter().count());
        assertEquals(loadedAt.toEpochMilli() / 1e3,
                registry.get("streamprox.config.loaded.timestamp").gauge().value());

        assertTrue(reload(reloader, everythingTo(upstreamB, "")).ok());
        assertEquals("B", upstreamOfANewConnection(address));
        assertEquals(1.0, registry.get("streamprox.reloads").tag("result", "ok").functionCounter().count());
        assertEquals(reloader.loadedAt().toEpochMilli() / 1e3,
                registry.get("streamprox.config.loaded.timestamp").gauge().value());
        assertTrue(reloader.loadedAt().isAfter(loadedAt));
    }

    @Test
    void listenersAreMatchedByAddressKeptOnesUntouchedNewOnesBoundRemovedOnesDrained() throws Exception {
        int added = FreePorts.onLoopback(1)[0];
        ConfigReloader reloader = start("""
                listeners:
                  - listen: 127.0.0.1:0
                  - listen: 127.0.0.1:0
                routes:
                  - { name: site, remote: 127.0.0.1:%d }
                """.formatted(upstreamA.port()));
        InetSocketAddress kept = proxy.server().localAddresses().get(0);
        InetSocketAddress removed = proxy.server().localAddresses().get(1);
        Tunnel onKept = open(kept);
        Tunnel onRemoved = open(removed);

        // The second listener on port 0 has no partner any more: it is removed, and drains for up to 2 s.
        ReloadResult result = reload(reloader, """
                drain-timeout: 2s
                listeners:
                  - listen: 127.0.0.1:0
                  - listen: 127.0.0.1:%d
                routes:
                  - { name: site, remote: 127.0.0.1:%d }
                """.formatted(added, upstreamB.port()));

        assertTrue(result.ok(), result.message());
        assertEquals("listeners kept: 127.0.0.1:%d; added: 127.0.0.1:%d; removed: 127.0.0.1:%d"
                .formatted(kept.getPort(), added, removed.getPort()), result.message());
        assertEquals(List.of(kept, new InetSocketAddress(InetAddress.getLoopbackAddress(), added)),
                proxy.server().localAddresses());
        assertThrows(ConnectException.class, () -> new Socket(removed.getAddress(), removed.getPort()).close());
        assertEquals("B", upstreamOfANewConnection(kept));
        assertEquals("B", upstreamOfANewConnection(new InetSocketAddress(kept.getAddress(), added)));
        assertEquals("A", onKept.echo("A"));
        assertEquals("A", onRemoved.echo("A"), "a removed listener's connection goes on while it drains");

        // Until the drain timeout cuts it (a reset); the kept listener's connection is not touched.
        assertEquals(0, Http.countUntilTheEnd(onRemoved.socket().getInputStream()));
        accessLog.awaitLineContaining("shutdown: drain timeout");
        assertEquals("still A", onKept.echo("still A"));
    }

    @Test
    void aNewListenerThatCannotBindFailsTheReloadAndNothingChanges() throws Exception {
        ConfigReloader reloader = start(everythingTo(upstreamA, ""));
        InetSocketAddress address = proxy.server().localAddress();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ReloadResult result = reload(reloader, """
                    listeners:
                      - listen: 127.0.0.1:0
                      - listen: 127.0.0.1:%d
                    routes:
                      - { name: site, remote: 127.0.0.1:%d }
                    """.formatted(taken.getLocalPort(), upstreamB.port()));

            assertFalse(result.ok());
            assertTrue(result.message().startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": "),
                    result.message());
            assertEquals(List.of(address), proxy.server().localAddresses());
            assertEquals("A", upstreamOfANewConnection(address));
            assertEquals(1, reloader.failed());
        }
    }

    @Test
    void raisedMaxConnectionsLetAWaitingConnectionInAndLoweredOnesHoldNewOnesUntilEnoughEnd() throws Exception {
        ConfigReloader reloader = start(everythingTo(upstreamA, "max-connections: 2\nmax-connections-per-client: 0\n"));
        InetSocketAddress address = proxy.server().localAddress();
        Tunnel first = open(address);
        Tunnel second = open(address);
        Socket waiting = new Socket(address.getAddress(), address.getPort());
        clients.add(waiting);
        assertNotServed(waiting);

        assertTrue(reload(reloader, everythingTo(upstreamA, "max-connections: 3\nmax-connections-per-client: 0\n"))
                .ok());
        Tunnel third = Tunnel.over(waiting);
        assertEquals("A", third.upstream());
        assertEquals(3, proxy.server().admittedConnections());

        assertTrue(reload(reloader, everythingTo(upstreamB, "max-connections: 1\nmax-connections-per-client: 0\n"))
                .ok());
        Socket fourth = new Socket(address.getAddress(), address.getPort());
        clients.add(fourth);
        first.socket().close();
        second.socket().close();
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().admittedConnections() == 1);
        assertNotServed(fourth);
        third.socket().close();
        assertEquals("B", Tunnel.over(fourth).upstream());
    }

    /** The connection is accepted by the kernel but not served: no answer comes to its request. */
    private static void assertNotServed(Socket socket) throws IOException {
        socket.getOutputStream().write(ascii(get("/waiting")));
        socket.setSoTimeout(300);
        assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read());
    }

    @Test
    void thePerClientLimitFollowsAReloadAndCountsTheConnectionsAlreadyOpen() throws Exception {
        ConfigReloader reloader = start(everythingTo(upstreamA, "max-connections-per-client: 2\n"));
        InetSocketAddress address = proxy.server().localAddress();
        open(address);
        open(address);
        assertEquals(429, statusOfANewConnection(address));
        // The refused connection holds its count until the proxy has finished it, after the client has its answer.
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server().admittedConnections() == 2);

        assertTrue(reload(reloader, everythingTo(upstreamB, "max-connections-per-client: 3\n")).ok());

        assertEquals("B", open(address).upstream());
        assertEquals(429, statusOfANewConnection(address));
    }

    private static int statusOfANewConnection(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            return Http.status(Http.exchange(socket, get("/")));
        }
    }

    @Test
    void headLimitsAndTheHalfCloseTimeoutFollowAReload() throws Exception {
        // Two upstream connections end: the first when its client closes, the last when the proxy cuts it.
        CountDownLatch upstreamCut = new CountDownLatch(2);
        // Ends its output at once, then stays for as long as the proxy lets it.
        try (LoopbackServer lingering = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.shutdownOutput();
            try {
                socket.getInputStream().readAllBytes();
            } finally {
                upstreamCut.countDown();
            }
        })) {
            ConfigReloader reloader = start(everythingTo(lingering, "half-close-timeout: 60s\n"));
            InetSocketAddress address = proxy.server().localAddress();
            String bigHead = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(2000) + "\r\n\r\n";
            try (Socket before = new Socket(address.getAddress(), address.getPort())) {
                before.setSoTimeout(10_000);
                assertEquals("", Http.exchange(before, bigHead), "routed, and ended by the upstream");
            }

            assertTrue(reload(reloader, everythingTo(lingering,
                    "half-close-timeout: 300ms\nhead: { max-bytes: 1024 }\n")).ok());

            try (Socket after = new Socket(address.getAddress(), address.getPort())) {
                after.setSoTimeout(10_000);
                assertEquals(431, Http.status(Http.exchange(after, bigHead)));
            }
            try (Socket halfClosed = new Socket(address.getAddress(), address.getPort())) {
                halfClosed.setSoTimeout(10_000);
                assertEquals("", Http.exchange(halfClosed, get("/")));
                // This client keeps its side open and silent: the new deadline, not the old one, ends it.
                assertTrue(upstreamCut.await(5, TimeUnit.SECONDS), "upstream still connected");
            }
            accessLog.awaitLineContaining("half-closed for 300 ms");
        }
    }

    @Test
    void newTlsConnectionsGetTheReloadedCertificateWhileOneOpenBeforeGoesOn() throws Exception {
        TestCertificates.Pem one = TestCertificates.selfSigned(directory, "one.test");
        TestCertificates.Pem two = TestCertificates.selfSigned(directory, "two.test");
        String tls = "tls: { certificates: [ { cert: %s, key: %s } ] }\n";
        ConfigReloader reloader = start(everythingTo(upstreamA, tls.formatted(one.certificate(), one.key())));
        InetSocketAddress address = proxy.server().localAddress();
        Tunnel before = Tunnel.over(tlsClient(one.clientContext(), address));
        assertEquals("A", before.upstream());

        assertTrue(reload(reloader, everythingTo(upstreamB, tls.formatted(two.certificate(), two.key()))).ok());

        assertThrows(SSLHandshakeException.class, () -> tlsClient(one.clientContext(), address).startHandshake());
        assertEquals("B", Tunnel.over(tlsClient(two.clientContext(), address)).upstream());
        assertEquals("A over TLS", before.echo("A over TLS"));
    }

    private SSLSocket tlsClient(SSLContext context, InetSocketAddress address) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(),
                address.getPort());
        clients.add(socket);
        socket.setSoTimeout(10_000);
        return socket;
    }
}
