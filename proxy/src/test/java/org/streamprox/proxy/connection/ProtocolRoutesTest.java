package org.streamprox.proxy.connection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;

/**
 * Other protocols than HTTP on the one port: told apart by their first bytes and tunnelled byte-exact to their own
 * routes, and a client that says nothing sent to the listener's on-silence route once the detect timeout has
 * passed, while HTTP keeps going to its routes at once.
 */
class ProtocolRoutesTest {

    private static final long DETECT_TIMEOUT_MILLIS = 400;
    private static final String GREETING = "220 greeter ready\r\n";

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();
    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    private final List<LoopbackServer> upstreams = new ArrayList<>();

    @AfterEach
    void stopUpstreams() throws Exception {
        for (LoopbackServer upstream : upstreams) {
            upstream.close();
        }
    }

    @Test
    void anSshGreetingIsTunnelledByteExactToTheSshRoute() throws Exception {
        int port = start();
        byte[] sent = new byte[4096];
        byte[] banner = ascii("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
        System.arraycopy(banner, 0, sent, 0, banner.length);
        for (int i = banner.length; i < sent.length; i++) {
            sent[i] = (byte) (i * 31);
        }
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.getOutputStream().write(sent);
            client.shutdownOutput();
            byte[] echoed = client.getInputStream().readAllBytes();
            assertArrayEquals(echo("ssh", sent), echoed);
        }
        accessLog.awaitLineContaining(" ssh remote 127.0.0.1:", " protocol=ssh ");
    }

    @Test
    void aProtocolToldByARegexGoesToItsRoute() throws Exception {
        int port = start();
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.getOutputStream().write(ascii("HELLO-PROTO v1\n"));
            client.shutdownOutput();
            assertArrayEquals(echo("banner", ascii("HELLO-PROTO v1\n")), client.getInputStream().readAllBytes());
        }
        accessLog.awaitLineContaining(" custom remote 127.0.0.1:", " protocol=banner ");
    }

    @Test
    void theHttp2PrefaceGoesToTheH2cRoute() throws Exception {
        int port = start();
        byte[] preface = ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.getOutputStream().write(preface);
            client.shutdownOutput();
            assertArrayEquals(echo("h2c", preface), client.getInputStream().readAllBytes());
        }
        accessLog.awaitLineContaining(" h2c remote 127.0.0.1:", " protocol=h2c ");
    }

    @Test
    void aSilentClientGetsTheOnSilenceRoutesGreetingAfterTheDetectTimeout() throws Exception {
        int port = start();
        // Before connecting: the proxy's detect timeout starts once it has accepted, which may be before the
        // client's connect returns.
        long start = System.nanoTime();
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(5000);
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            assertEquals(GREETING.strip(), in.readLine());
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMillis >= DETECT_TIMEOUT_MILLIS, "greeted after " + waitedMillis + " ms");
            client.getOutputStream().write(ascii("EHLO client.test\r\n"));
            assertEquals("250 EHLO client.test", in.readLine());
        }
        accessLog.awaitLineContaining(" greeter remote 127.0.0.1:", " protocol=silent ");
    }

    @Test
    void httpIsRoutedAtOnceAndNeverReachesTheOnSilenceRoute() throws Exception {
        int port = start();
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout((int) DETECT_TIMEOUT_MILLIS / 2);
            String response = Http.exchange(client, Http.get("/page"));
            assertEquals(200, Http.status(response), response);
            assertTrue(response.endsWith("web"), response);
        }
    }

    @Test
    void aClientThatSpeaksFirstAfterTheDetectTimeoutIsTheOnSilenceRoutesClient() throws Exception {
        int port = start();
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(5000);
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            assertEquals(GREETING.strip(), in.readLine());
            client.getOutputStream().write(ascii("GET / HTTP/1.1\r\n"));
            assertEquals("250 GET / HTTP/1.1", in.readLine());
        }
    }

    @Test
    void withoutAnSshRouteAnSshGreetingIsClosedAsBefore() throws Exception {
        LoopbackServer web = upstream(named("banner"));
        int port = proxy.start(new ConfigLoader(Set.of()).load("""
                listen: 127.0.0.1:0
                protocols: { banner: '^HELLO-PROTO ' }
                routes:
                  - name: custom
                    match: { protocol: banner }
                    remote: 127.0.0.1:%d
                """.formatted(web.port()), "protocols.yaml")).localAddress().getPort();
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.getOutputStream().write(ascii("SSH-2.0-OpenSSH_9.2\r\n"));
            assertEquals(-1, client.getInputStream().read());
        }
        accessLog.awaitLineContaining(" not HTTP: an SSH greeting");
    }

    /** What the named upstream sends back for these bytes: its name, a colon, the bytes. */
    private static byte[] echo(String upstream, byte[] bytes) {
        byte[] prefix = ascii(upstream + ":");
        byte[] expected = new byte[prefix.length + bytes.length];
        System.arraycopy(prefix, 0, expected, 0, prefix.length);
        System.arraycopy(bytes, 0, expected, prefix.length, bytes.length);
        return expected;
    }

    private int start() throws Exception {
        LoopbackServer ssh = upstream(named("ssh"));
        LoopbackServer banner = upstream(named("banner"));
        LoopbackServer h2c = upstream(named("h2c"));
        LoopbackServer greeter = upstream(ProtocolRoutesTest::greet);
        LoopbackServer web = upstream(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nweb"));
        });
        String yaml = """
                listen: 127.0.0.1:0
                detect-timeout: %dms
                on-silence: greeter
                protocols: { banner: '^HELLO-PROTO ' }
                routes:
                  - name: ssh
                    match: { protocol: ssh }
                    remote: 127.0.0.1:%d
                  - name: custom
                    match: { protocol: banner }
                    remote: 127.0.0.1:%d
                  - name: h2c
                    match: { protocol: h2c }
                    remote: 127.0.0.1:%d
                  - name: greeter
                    remote: 127.0.0.1:%d
                  - name: web
                    match: { path-prefix: / }
                    remote: 127.0.0.1:%d
                """.formatted(DETECT_TIMEOUT_MILLIS, ssh.port(), banner.port(), h2c.port(), greeter.port(),
                web.port());
        return proxy.start(new ConfigLoader(Set.of()).load(yaml, "protocols.yaml")).localAddress()
                .getPort();
    }

    /** An upstream that answers with its name and then what it reads, until the client's end. */
    private static LoopbackServer.Handler named(String name) {
        return socket -> {
            OutputStream out = socket.getOutputStream();
            out.write(ascii(name + ":"));
            socket.getInputStream().transferTo(out);
            socket.shutdownOutput();
        };
    }

    /** A server that speaks first, as SMTP does, then answers each line with 250 and the line. */
    private static void greet(Socket socket) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(ascii(GREETING));
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                StandardCharsets.ISO_8859_1));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            out.write(ascii("250 " + line + "\r\n"));
        }
    }

    private LoopbackServer upstream(LoopbackServer.Handler handler) throws Exception {
        LoopbackServer upstream = LoopbackServer.start(handler);
        upstreams.add(upstream);
        return upstream;
    }
}
