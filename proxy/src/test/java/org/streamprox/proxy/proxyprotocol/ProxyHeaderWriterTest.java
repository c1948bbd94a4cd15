package org.streamprox.proxy.proxyprotocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.streamprox.proxy.proxyprotocol.Wire.LOCAL;
import static org.streamprox.proxy.proxyprotocol.Wire.PROXY;
import static org.streamprox.proxy.proxyprotocol.Wire.TCP4;
import static org.streamprox.proxy.proxyprotocol.Wire.UNSPEC;
import static org.streamprox.proxy.proxyprotocol.Wire.ascii;
import static org.streamprox.proxy.proxyprotocol.Wire.loopbackIpv4;
import static org.streamprox.proxy.proxyprotocol.Wire.tlv;
import static org.streamprox.proxy.proxyprotocol.Wire.v2;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.streamprox.proxy.proxyprotocol.ProxyHeader.Command;

/** The headers StreamProx sends upstream, byte for byte, and read back by the reader over a real connection. */
class ProxyHeaderWriterTest {

    private static InetSocketAddress at(String address, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(address), port);
    }

    @Test
    void writesAV1Tcp4Line() throws Exception {
        assertEquals("PROXY TCP4 127.0.0.7 127.0.0.1 5123 443\r\n",
                new String(ProxyHeaderWriter.v1(at("127.0.0.7", 5123), at("127.0.0.1", 443)), "US-ASCII"));
    }

    @Test
    void writesAV1Tcp6LineInShortForm() throws Exception {
        assertEquals("PROXY TCP6 fe80::7 ::1 65535 0\r\n",
                new String(ProxyHeaderWriter.v1(at("fe80:0:0:0:0:0:0:7", 65535), at("::1", 0)), "US-ASCII"));
    }

    @Test
    void anIpv4AddressBesideAnIpv6OneIsWrittenIpv4Mapped() throws Exception {
        assertEquals("PROXY TCP6 ::ffff:127.0.0.7 ::1 5123 443\r\n",
                new String(ProxyHeaderWriter.v1(at("127.0.0.7", 5123), at("::1", 443)), "US-ASCII"));
        assertEquals("PROXY TCP6 ::1 ::ffff:127.0.0.1 5123 443\r\n",
                new String(ProxyHeaderWriter.v1(at("::1", 5123), at("127.0.0.1", 443)), "US-ASCII"));
    }

    @Test
    void writesAV2Tcp4HeaderWithItsTlvsInOrder() throws Exception {
        byte[] written = ProxyHeaderWriter.v2(at("127.0.0.1", 5123), at("127.0.0.1", 443),
                List.of(Tlv.authority("example.org"), Tlv.alpn("h2")));

        assertArrayEquals(v2(PROXY, TCP4, loopbackIpv4(), tlv(Tlv.AUTHORITY, "example.org"), tlv(Tlv.ALPN, "h2")),
                written);
    }

    static Stream<Arguments> pairs() throws IOException {
        return Stream.of(
                Arguments.of(at("127.0.0.7", 5123), at("127.0.0.1", 443)),
                Arguments.of(at("::1", 0), at("fe80::1", 65535)),
                Arguments.of(at("127.0.0.7", 1), at("::1", 2)),
                Arguments.of(at("::1", 1), at("127.0.0.1", 2)),
                Arguments.of(at("255.255.255.255", 65535), at("0.0.0.0", 0)));
    }

    /** The reader gets back what was written; an IPv4-mapped address comes back as the IPv4 address it was. */
    @ParameterizedTest
    @MethodSource("pairs")
    void whatIsWrittenReadsBack(InetSocketAddress client, InetSocketAddress destination) throws Exception {
        List<Tlv> tlvs = List.of(Tlv.authority("example.org"), Tlv.alpn("http/1.1"), new Tlv(0xE0, new byte[300]));
        ProxyAddresses.Tcp addresses = new ProxyAddresses.Tcp(client, destination);

        assertEquals(new ProxyHeader(1, Command.PROXY, addresses, List.of()),
                readBack(ProxyHeaderWriter.v1(client, destination)));
        assertEquals(new ProxyHeader(2, Command.PROXY, addresses, tlvs),
                readBack(ProxyHeaderWriter.v2(client, destination, tlvs)));
    }

    /** What a health check sends: nothing the reader could take for a client. */
    @Test
    void theHeadersWithoutAClientSayNone() throws Exception {
        assertEquals("PROXY UNKNOWN\r\n", new String(ProxyHeaderWriter.v1Unknown(), "US-ASCII"));
        assertArrayEquals(v2(LOCAL, UNSPEC), ProxyHeaderWriter.v2Local());

        assertEquals(new ProxyHeader(1, Command.PROXY, new ProxyAddresses.Unspecified(), List.of()),
                readBack(ProxyProtocolVersion.V1.headerWithoutClient()));
        ProxyHeader local = readBack(ProxyProtocolVersion.V2.headerWithoutClient());
        assertEquals(new ProxyHeader(2, Command.LOCAL, new ProxyAddresses.Unspecified(), List.of()), local);
        assertEquals(Optional.empty(), local.clientAddress());
    }

    private static ProxyHeader readBack(byte[] written) throws Exception {
        try (SocketPair connection = new SocketPair()) {
            connection.send(written);
            ProxyHeaderReader.Result result = new ProxyHeaderReader(ProxyHeaderReader.DEFAULT_MAX_BYTES)
                    .read(connection.server, System.nanoTime() + Duration.ofSeconds(10).toNanos());
            assertEquals(written.length, result.bytesRead());
            return result.header();
        }
    }

    @Test
    void anUnresolvedAddressIsRefused() throws Exception {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("example.org", 443);
        assertThrows(IllegalArgumentException.class, () -> ProxyHeaderWriter.v1(at("127.0.0.1", 1), unresolved));
        assertThrows(IllegalArgumentException.class,
                () -> ProxyHeaderWriter.v2(unresolved, at("127.0.0.1", 1), List.of()));
    }

    @Test
    void tlvsBeyondTheLengthFieldAreRefused() throws Exception {
        // 12 bytes of addresses and 3 + 65521 of TLV: one more than the length field can say.
        List<Tlv> tlvs = List.of(new Tlv(0xE0, new byte[65521]));
        assertThrows(IllegalArgumentException.class,
                () -> ProxyHeaderWriter.v2(at("127.0.0.1", 1), at("127.0.0.1", 2), tlvs));
        assertEquals(16 + 65535, ProxyHeaderWriter.v2(at("127.0.0.1", 1), at("127.0.0.1", 2),
                List.of(new Tlv(0xE0, new byte[65520]))).length);
    }

    @Test
    void aTlvIsABoundedByteAndValue() {
        assertThrows(IllegalArgumentException.class, () -> new Tlv(256, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Tlv(-1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Tlv(0xE0, new byte[65536]));
        assertArrayEquals(ascii("h2"), Tlv.alpn("h2").value());
    }
}
