package org.streamprox.proxy.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.proxyprotocol.ProxyHeader;
import org.streamprox.proxy.proxyprotocol.ProxyHeaderReader;
import org.streamprox.proxy.proxyprotocol.ProxyHeaderWriter;
import org.streamprox.proxy.proxyprotocol.Tlv;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.SplitTransport;

/**
 * PROXY headers both ways, with the headers written byte by byte as the protocol's text says: a trusted peer's
 * header names the client, who is then the one the access log shows and the one the route's own PROXY header names
 * upstream; an untrusted peer's header, a trusted peer's missing or malformed one, are refused with the reason
 * logged. (HAProxy and nginx as the peers: ProxyProtocolPeersTest.)
 */
class ProxyHeadersTest {

    /** A client behind the trusted proxy: any loopback address will do, as long as it is not the proxy's. */
    private static final InetSocketAddress CLIENT = new InetSocketAddress(loopback(7), 40007);
    private static final String CLOSE = "Connection: close";
    private static final String REQUEST = "GET /where HTTP/1.1\r\nHost: site.test\r\n" + CLOSE + "\r\n\r\n";

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();
    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    private final CompletableFuture<ProxyHeader> headerUpstreamGot = new CompletableFuture<>();
    private LoopbackServer upstream;

    @AfterEach
    void stopUpstream() throws Exception {
        upstream.close();
    }

    @Test
    void aTrustedProxysV1HeaderNamesTheClientInTheLogAndInTheHeaderSentUpstream() throws Exception {
        int port = start("127.0.0.1/32", "v2");
        String response = exchange(port, ProxyHeaderWriter.v1(CLIENT, new InetSocketAddress(loopback(1), 443)));

        assertEquals(200, Http.status(response), response);
        ProxyHeader onward = headerUpstreamGot.get(10, TimeUnit.SECONDS);
        assertEquals(Optional.of(CLIENT), onward.clientAddress());
        accessLog.awaitLineContaining("127.0.0.7:40007 via=127.0.0.1:", " GET /where web remote 127.0.0.1:");
    }

    @Test
    void aV2HeaderWithTlvsIsReadAndTheRequestAfterItServed() throws Exception {
        int port = start("127.0.0.0/8", "v1");
        byte[] header = ProxyHeaderWriter.v2(CLIENT, new InetSocketAddress(loopback(1), 443),
                List.of(Tlv.authority("site.test"), Tlv.alpn("http/1.1")));
        String response = exchange(port, header);

        assertEquals(200, Http.status(response), response);
        assertEquals(Optional.of(CLIENT), headerUpstreamGot.get(10, TimeUnit.SECONDS).clientAddress());
        accessLog.awaitLineContaining("127.0.0.7:40007 via=127.0.0.1:");
    }

    @Test
    void aLocalCommandLeavesThePeerAsTheClient() throws Exception {
        int port = start("127.0.0.1/32", "v1");
        // Version 2, LOCAL, unspecified family, no addresses: a proxy's own health check.
        byte[] local = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x20, 0x00, 0, 0};
        String response = exchange(port, local);

        assertEquals(200, Http.status(response), response);
        assertEquals(Optional.of(new InetSocketAddress(loopback(1), 0).getAddress()),
                headerUpstreamGot.get(10, TimeUnit.SECONDS).clientAddress().map(InetSocketAddress::getAddress));
        proxy.awaitQuiet();
        assertTrue(accessLog.lines().stream().noneMatch(line -> line.contains("via=")), accessLog.lines().toString());
    }

    @Test
    void aTrustedPeerWithoutAHeaderIsClosedWithTheReason() throws Exception {
        int port = start("127.0.0.1/32", "v1");
        assertEquals("", exchange(port, new byte[0]));
        accessLog.awaitLineContaining("closed: not a PROXY header: it starts \"G\"");
    }

    @Test
    void aMalformedHeaderIsClosedWithTheReason() throws Exception {
        int port = start("127.0.0.1/32", "v1");
        assertEquals("", exchange(port, ascii("PROXY TCP4 127.0.0.7 127.0.0.1 040007 443\r\n")));
        accessLog.awaitLineContaining("malformed PROXY v1 header");
    }

    @Test
    void anUntrustedPeersHeaderIsRefusedButItsPlainRequestsAreServed() throws Exception {
        int port = start("127.0.0.2/32", "v1");
        assertEquals("", exchange(port, ProxyHeaderWriter.v1(CLIENT, new InetSocketAddress(loopback(1), 443))));
        accessLog.awaitLineContaining("PROXY header from 127.0.0.1, which is not a trusted proxy");

        String response = exchange(port, new byte[0]);
        assertEquals(200, Http.status(response), response);
        assertEquals(Optional.of(loopback(1)),
                headerUpstreamGot.get(10, TimeUnit.SECONDS).clientAddress().map(InetSocketAddress::getAddress));
    }

    /** A listener trusting {@code trusted}, routing everything to an upstream that reads the route's PROXY header. */
    private int start(String trusted, String sent) throws Exception {
        upstream = LoopbackServer.start(socket -> {
            byte[] received = untilTheRequestsEnd(socket.getInputStream());
            headerUpstreamGot.complete(new ProxyHeaderReader(ProxyHeaderReader.DEFAULT_MAX_BYTES)
                    .read(new SplitTransport(received, new byte[0]), Long.MAX_VALUE).header());
            socket.getOutputStream().write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        });
        return proxy.start(new ConfigLoader(Set.of()).load("""
                listen: 127.0.0.1:0
                accept-proxy-protocol: { trusted: [%s] }
                routes:
                  - name: web
                    remote: 127.0.0.1:%d
                    proxy-protocol: %s
                """.formatted(trusted, upstream.port(), sent), "proxy-headers.yaml")).localAddress().getPort();
    }

    /** The PROXY header and the request: a v2 header has a blank line of its own, so the request's last field ends it. */
    private static byte[] untilTheRequestsEnd(InputStream in) throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] end = ascii(CLOSE + "\r\n\r\n");
        while (!endsWith(received.toByteArray(), end)) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the request did not arrive whole: " + received);
            }
            received.write(b);
        }
        return received.toByteArray();
    }

    private static boolean endsWith(byte[] bytes, byte[] end) {
        return bytes.length >= end.length
                && Arrays.equals(bytes, bytes.length - end.length, bytes.length, end, 0, end.length);
    }

    /** Sends the header and a request from 127.0.0.1, and reads until the proxy closes. */
    private static String exchange(int port, byte[] header) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(header);
            out.write(ascii(REQUEST));
            socket.getOutputStream().write(out.toByteArray());
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
