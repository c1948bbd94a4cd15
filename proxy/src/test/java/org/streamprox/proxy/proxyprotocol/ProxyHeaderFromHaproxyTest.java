package org.streamprox.proxy.proxyprotocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.streamprox.proxy.proxyprotocol.Wire.ascii;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.proxy.proxyprotocol.ProxyHeader.Command;
import org.streamprox.proxy.transport.PlainTransport;
import org.streamprox.testkit.FreePorts;
import org.streamprox.testkit.Haproxy;
import org.streamprox.testkit.TestCertificates;

/**
 * Headers written by a real HAProxy in front of a Java server that reads them with the reader: the address HAProxy
 * gives is the test client's own, over v1 and v2, from IPv4, IPv6 and IPv4-mapped listeners, with the TLVs of a TLS
 * connection (name, protocol, TLS version, unique id, checksum), and for HAProxy's health checks, LOCAL. Any header
 * the reader refuses fails the test.
 */
class ProxyHeaderFromHaproxyTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SERVER_NAME = "proxied.example";

    @TempDir
    static Path directory;

    private static Upstream upstream;
    private static Haproxy haproxy;
    private static InetSocketAddress v1Ipv4;
    private static InetSocketAddress v1Mapped;
    private static InetSocketAddress v1Ipv6;
    private static InetSocketAddress v2;
    private static InetSocketAddress v2Tls;
    private static TestCertificates.Pem certificate;

    @BeforeAll
    static void startHaproxy() throws Exception {
        upstream = new Upstream();
        certificate = TestCertificates.selfSigned(directory, SERVER_NAME);
        Path pem = directory.resolve("haproxy.pem");
        Files.write(pem, Wire.concat(Files.readAllBytes(certificate.certificate()),
                Files.readAllBytes(certificate.key())));
        int[] ports = FreePorts.onLoopback(5);
        InetAddress ipv4 = InetAddress.getByName("127.0.0.1");
        v1Ipv4 = new InetSocketAddress(ipv4, ports[0]);
        v1Mapped = new InetSocketAddress(ipv4, ports[1]);
        v1Ipv6 = new InetSocketAddress(InetAddress.getByName("::1"), ports[2]);
        v2 = new InetSocketAddress(ipv4, ports[3]);
        v2Tls = new InetSocketAddress(ipv4, ports[4]);
        // The IPv4-mapped listener is an IPv6 socket taking IPv4 clients: HAProxy writes TCP6 ::ffff:127.0.0.1.
        // Health checks that send a header come on the TLS backend only, as LOCAL.
        haproxy = Haproxy.start(directory, """
                frontend v1-ipv4
                    bind 127.0.0.1:%d
                    default_backend v1
                frontend v1-mapped
                    bind [::ffff:127.0.0.1]:%d v4v6
                    default_backend v1
                frontend v1-ipv6
                    bind [::1]:%d
                    default_backend v1
                frontend v2
                    bind 127.0.0.1:%d
                    default_backend v2
                frontend v2-tls
                    bind 127.0.0.1:%d ssl crt %s alpn h2,http/1.1
                    unique-id-format %%ci:%%cp
                    default_backend v2-tls
                backend v1
                    server upstream 127.0.0.1:%d send-proxy
                backend v2
                    server upstream 127.0.0.1:%d send-proxy-v2
                backend v2-tls
                    default-server check check-send-proxy inter 300
                    server upstream 127.0.0.1:%d send-proxy-v2 proxy-v2-options ssl,authority,crc32c,unique-id
                """.formatted(ports[0], ports[1], ports[2], ports[3], ports[4], pem, upstream.port(), upstream.port(),
                upstream.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (haproxy != null) {
            haproxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /** Connects to the listener, sends the marker line through HAProxy, and checks the header that came with it. */
    private static void assertHeaderFor(InetSocketAddress front, int version) throws Exception {
        try (Socket client = new Socket()) {
            client.connect(front);
            String marker = "v" + version + " from " + client.getLocalSocketAddress();
            client.getOutputStream().write(ascii(marker + "\n"));

            ProxyHeader header = upstream.await(arrival -> arrival.line().equals(marker));

            InetSocketAddress self = (InetSocketAddress) client.getLocalSocketAddress();
            assertEquals(new ProxyHeader(version, Command.PROXY, new ProxyAddresses.Tcp(self, front), List.of()),
                    header);
            assertEquals(Optional.of(self), header.clientAddress());
        }
    }

    @Test
    void aV1HeaderGivesTheIpv4ClientsAddress() throws Exception {
        assertHeaderFor(v1Ipv4, 1);
    }

    @Test
    void aV1HeaderGivesTheIpv6ClientsAddress() throws Exception {
        assertHeaderFor(v1Ipv6, 1);
    }

    /** HAProxy writes {@code PROXY TCP6 ::ffff:127.0.0.1 ...}: the client is its IPv4 address, as it connected. */
    @Test
    void aV1HeaderFromAnIpv4MappedListenerGivesTheIpv4ClientsAddress() throws Exception {
        assertHeaderFor(v1Mapped, 1);
    }

    @Test
    void aV2HeaderGivesTheClientsAddressAndNoTlvs() throws Exception {
        assertHeaderFor(v2, 2);
    }

    @Test
    void aV2HeaderAfterTlsCarriesTheNameProtocolVersionAndIdTheClientUsed() throws Exception {
        try (SSLSocket client = (SSLSocket) certificate.clientContext().getSocketFactory().createSocket()) {
            client.connect(v2Tls);
            SSLParameters parameters = client.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(SERVER_NAME)));
            parameters.setApplicationProtocols(new String[] {"h2"});
            client.setSSLParameters(parameters);
            client.startHandshake();
            String marker = "TLS from " + client.getLocalSocketAddress();
            client.getOutputStream().write(ascii(marker + "\n"));
            client.getOutputStream().flush();

            ProxyHeader header = upstream.await(arrival -> arrival.line().equals(marker));

            InetSocketAddress self = (InetSocketAddress) client.getLocalSocketAddress();
            assertEquals(new ProxyAddresses.Tcp(self, v2Tls), header.addresses());
            assertEquals(Optional.of(self), header.clientAddress());
            assertEquals(Optional.of(SERVER_NAME), header.authority());
            assertEquals(Optional.of("h2"), header.alpn());
            assertEquals(Optional.of(client.getSession().getProtocol()), header.sslVersion());
            assertEquals("127.0.0.1:" + self.getPort(),
                    new String(header.uniqueId().orElseThrow(), StandardCharsets.US_ASCII));
            assertTrue(header.describe().endsWith(" authority=" + SERVER_NAME + " alpn=h2 ssl="
                    + client.getSession().getProtocol()), header.describe());
        }
    }

    /** HAProxy's health checks announce themselves as LOCAL: no client address. */
    @Test
    void aHealthCheckComesAsALocalHeader() throws Exception {
        ProxyHeader header = upstream.await(arrival -> arrival.header().command() == Command.LOCAL);

        assertEquals(2, header.version());
        assertEquals(Optional.empty(), header.clientAddress());
        assertEquals("v2 LOCAL", header.describe());
    }

    /** A connection's header and the line that followed it ({@code ""} when none did), or why it has none. */
    private record Arrival(ProxyHeader header, String line, Exception failure) {
    }

    /**
     * The server behind HAProxy: reads each connection's header with the reader, then the line the client sent
     * after it, and keeps them in arrival order; a refusal is kept too, to fail the test that waits for it.
     */
    private static final class Upstream implements AutoCloseable {

        private final ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        private final BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();

        Upstream() throws IOException {
            Thread.ofVirtual().start(this::acceptAll);
        }

        int port() {
            return listener.socket().getLocalPort();
        }

        private void acceptAll() {
            try {
                while (true) {
                    SocketChannel connection = listener.accept();
                    Thread.ofVirtual().start(() -> serve(new PlainTransport(connection)));
                }
            } catch (IOException closed) {
                // The test is over.
            }
        }

        private void serve(PlainTransport connection) {
            try {
                ProxyHeader header = new ProxyHeaderReader(ProxyHeaderReader.DEFAULT_MAX_BYTES)
                        .read(connection, System.nanoTime() + WAIT.toNanos()).header();
                arrivals.add(new Arrival(header, firstLine(connection), null));
            } catch (ProxyHeaderRefusal | IOException e) {
                arrivals.add(new Arrival(null, "", e));
            } finally {
                connection.close();
            }
        }

        /** Up to the first LF, which is left out; what came before the end if none does (a health check's nothing). */
        private static String firstLine(PlainTransport connection) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            ByteBuffer one = ByteBuffer.allocate(1);
            try {
                while (connection.read(one.clear(), WAIT.toMillis()) > 0 && one.get(0) != '\n') {
                    line.write(one.get(0));
                }
            } catch (IOException gone) {
                // A health check may reset rather than close: it sent nothing either way.
            }
            return line.toString(StandardCharsets.US_ASCII);
        }

        /** The header of the next arrival that matches, those before it passed over; fails on a refused one. */
        ProxyHeader await(Predicate<Arrival> wanted) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                Arrival next = arrivals.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (next == null) {
                    return fail("no matching connection came through haproxy within " + WAIT + "; haproxy said: "
                            + haproxy.output());
                }
                if (next.failure() != null) {
                    throw new AssertionError("the reader did not take what haproxy sent: " + next.failure(),
                            next.failure());
                }
                if (wanted.test(next)) {
                    return next.header();
                }
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
