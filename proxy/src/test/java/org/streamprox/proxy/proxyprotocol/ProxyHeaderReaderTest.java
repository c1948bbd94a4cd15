package org.streamprox.proxy.proxyprotocol;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.proxy.proxyprotocol.Wire.LOCAL;
import static org.streamprox.proxy.proxyprotocol.Wire.PROXY;
import static org.streamprox.proxy.proxyprotocol.Wire.TCP4;
import static org.streamprox.proxy.proxyprotocol.Wire.TCP6;
import static org.streamprox.proxy.proxyprotocol.Wire.UNIX_STREAM;
import static org.streamprox.proxy.proxyprotocol.Wire.UNSPEC;
import static org.streamprox.proxy.proxyprotocol.Wire.ascii;
import static org.streamprox.proxy.proxyprotocol.Wire.concat;
import static org.streamprox.proxy.proxyprotocol.Wire.loopbackIpv4;
import static org.streamprox.proxy.proxyprotocol.Wire.tlv;
import static org.streamprox.proxy.proxyprotocol.Wire.v2;
import static org.streamprox.proxy.proxyprotocol.Wire.v2WithCrc32c;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamprox.proxy.proxyprotocol.ProxyHeader.Command;
import org.streamprox.testkit.TrickleTransport;

/** The PROXY header reader over a real loopback connection, fed headers of every form, and broken ones. */
class ProxyHeaderReaderTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private SocketPair connection;

    @BeforeEach
    void connect() throws IOException {
        connection = new SocketPair();
    }

    @AfterEach
    void close() throws IOException {
        connection.close();
    }

    private ProxyHeaderReader.Result read(int maxBytes, Duration timeout) throws IOException, ProxyHeaderRefusal {
        return new ProxyHeaderReader(maxBytes).read(connection.server, System.nanoTime() + timeout.toNanos());
    }

    private ProxyHeader read(byte[] sent) throws IOException, ProxyHeaderRefusal {
        connection.send(sent);
        ProxyHeaderReader.Result result = read(ProxyHeaderReader.DEFAULT_MAX_BYTES, PATIENCE);
        assertEquals(sent.length, result.bytesRead());
        return result.header();
    }

    private ProxyHeaderRefusal refused(byte[] sent) throws IOException {
        connection.send(sent);
        return assertThrows(ProxyHeaderRefusal.class, () -> read(ProxyHeaderReader.DEFAULT_MAX_BYTES, PATIENCE));
    }

    private static InetSocketAddress at(String address, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(address), port);
    }

    private static ProxyHeader tcp(int version, InetSocketAddress source, InetSocketAddress destination,
            Tlv... tlvs) {
        return new ProxyHeader(version, Command.PROXY, new ProxyAddresses.Tcp(source, destination), List.of(tlvs));
    }

    @Test
    void readsAV1Tcp4Line() throws Exception {
        ProxyHeader header = read(ascii("PROXY TCP4 192.0.2.7 127.0.0.1 5123 443\r\n"));

        assertEquals(tcp(1, at("192.0.2.7", 5123), at("127.0.0.1", 443)), header);
        assertEquals(Optional.of(at("192.0.2.7", 5123)), header.clientAddress());
        assertEquals("v1 TCP4 192.0.2.7:5123 -> 127.0.0.1:443", header.describe());
    }

    @Test
    void readsAV1Tcp6Line() throws Exception {
        ProxyHeader header = read(ascii("PROXY TCP6 fe80::7 ::1 5123 443\r\n"));

        assertEquals(tcp(1, at("fe80::7", 5123), at("::1", 443)), header);
        assertEquals("v1 TCP6 [fe80::7]:5123 -> [::1]:443", header.describe());
    }

    /** What HAProxy writes for an IPv4 client of an IPv6 listener: the client's address is its IPv4 one. */
    @Test
    void anIpv4MappedAddressInATcp6LineIsTheIpv4Address() throws Exception {
        ProxyHeader header = read(ascii("PROXY TCP6 ::ffff:127.0.0.7 ::1 5123 443\r\n"));
        assertEquals(Optional.of(at("127.0.0.7", 5123)), header.clientAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n",
        "PROXY TCP4 127.255.255.255 127.255.255.255 65535 65535\r\n",
        "PROXY TCP6 fe80:ffff:ffff:ffff:ffff:ffff:ffff:ffff FE80:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF 65535 65535\r\n",
        "PROXY TCP6 fe80:0:0:0:0:0:0:1 fe80:0000:0000:0000:0000:0000:0000:0001 1 2\r\n",
        "PROXY TCP6 :: :: 0 0\r\n"})
    void readsV1LinesAtTheEdgesOfTheirFields(String line) throws Exception {
        assertTrue(read(ascii(line)).clientAddress().isPresent(), line);
    }

    /** The short form, and the long one whose rest the receiver must ignore, up to the longest line allowed. */
    @ParameterizedTest
    @ValueSource(strings = {"PROXY UNKNOWN\r\n", "PROXY UNKNOWN \r\n", "PROXY UNKNOWN ::1 ::1 1 2\r\n",
        "PROXY UNKNOWN anything~printable!\r\n"})
    void aV1UnknownLineAssertsNoAddress(String line) throws Exception {
        ProxyHeader header = read(ascii(line));

        assertEquals(new ProxyHeader(1, Command.PROXY, new ProxyAddresses.Unspecified(), List.of()), header);
        assertEquals(Optional.empty(), header.clientAddress());
        assertEquals("v1 UNKNOWN", header.describe());
    }

    @Test
    void theLongestV1LineIsRead() throws Exception {
        String full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        byte[] line = ascii("PROXY UNKNOWN " + full + " " + full + " 65535 65535\r\n");
        assertEquals(TextHeaderParser.MAX_BYTES, line.length);
        assertEquals(new ProxyAddresses.Unspecified(), read(line).addresses());
    }

    @Test
    void readsAV2Tcp4HeaderWithItsTlvs() throws Exception {
        byte[] ssl = concat(new byte[] {1, 0, 0, 0, 0}, tlv(Tlv.SSL_VERSION, "TLSv1.3"), tlv(0x23, "TLS_AES_128"));
        byte[] sent = v2WithCrc32c(PROXY, TCP4, loopbackIpv4(), tlv(Tlv.NOOP, new byte[3]), tlv(Tlv.ALPN, "h2"),
                tlv(Tlv.AUTHORITY, "example.org"), tlv(Tlv.UNIQUE_ID, "conn-1"), tlv(Tlv.SSL, ssl),
                tlv(0xE0, new byte[] {0, 1, 2}));

        ProxyHeader header = read(sent);

        assertEquals(tcp(2, at("127.0.0.1", 5123), at("127.0.0.1", 443), Tlv.alpn("h2"),
                Tlv.authority("example.org"), new Tlv(Tlv.UNIQUE_ID, ascii("conn-1")), new Tlv(Tlv.SSL, ssl),
                new Tlv(0xE0, new byte[] {0, 1, 2})), header);
        assertEquals(Optional.of("h2"), header.alpn());
        assertEquals(Optional.of("example.org"), header.authority());
        assertArrayEquals(ascii("conn-1"), header.uniqueId().orElseThrow());
        assertEquals(Optional.of("TLSv1.3"), header.sslVersion());
        assertEquals("v2 TCP4 127.0.0.1:5123 -> 127.0.0.1:443 authority=example.org alpn=h2 ssl=TLSv1.3",
                header.describe());
    }

    @Test
    void readsAV2Tcp6Header() throws Exception {
        byte[] addresses = ByteBuffer.allocate(36).put(InetAddress.getByName("fe80::7").getAddress())
                .put(InetAddress.getByName("::1").getAddress()).putShort((short) 65535).putShort((short) 0).array();

        ProxyHeader header = read(v2(PROXY, TCP6, addresses));

        assertEquals(tcp(2, at("fe80::7", 65535), at("::1", 0)), header);
        assertEquals(Optional.empty(), header.authority());
        assertEquals(Optional.empty(), header.sslVersion());
    }

    /** A health check: HAProxy's carries no addresses but a checksum and an empty SSL TLV. */
    @Test
    void aV2LocalHeaderAssertsNoClient() throws Exception {
        ProxyHeader header = read(v2WithCrc32c(LOCAL, UNSPEC, tlv(Tlv.SSL, new byte[5])));

        assertEquals(new ProxyHeader(2, Command.LOCAL, new ProxyAddresses.Unspecified(),
                List.of(new Tlv(Tlv.SSL, new byte[5]))), header);
        assertEquals(Optional.empty(), header.clientAddress());
        assertEquals(Optional.empty(), header.sslVersion());
        assertEquals("v2 LOCAL", header.describe());
    }

    /** The specification has the receiver skip a LOCAL header's addresses by its length, whatever they are. */
    @Test
    void aV2LocalHeaderWithAddressesStillAssertsNoClient() throws Exception {
        ProxyHeader header = read(v2(LOCAL, TCP4, loopbackIpv4(), tlv(Tlv.AUTHORITY, "example.org")));

        assertEquals(Command.LOCAL, header.command());
        assertEquals(Optional.empty(), header.clientAddress());
        assertEquals(Optional.of("example.org"), header.authority());
        assertEquals("v2 LOCAL authority=example.org", header.describe());
    }

    @Test
    void readsAV2UnixHeader() throws Exception {
        byte[] source = Arrays.copyOf(ascii("/run/client.sock"), 108);
        byte[] destination = Arrays.copyOf(ascii("\0haproxy-front"), 108);

        ProxyHeader header = read(v2(PROXY, UNIX_STREAM, source, destination));

        assertEquals(new ProxyAddresses.Unix("/run/client.sock", "@haproxy-front"), header.addresses());
        assertEquals(Optional.empty(), header.clientAddress());
        assertEquals("v2 UNIX /run/client.sock -> @haproxy-front", header.describe());
    }

    /** An unspecified family, or a known one over an unspecified transport: the addresses are skipped. */
    @ParameterizedTest
    @ValueSource(ints = {UNSPEC, 0x01, 0x10, 0x20, 0x30})
    void unspecifiedAddressesAreSkippedAndTheTlvsAfterThemRead(int familyAndTransport) throws Exception {
        byte[] addresses = new byte[new int[] {0, 12, 36, 216}[familyAndTransport >> 4]];

        ProxyHeader header = read(v2(PROXY, familyAndTransport, addresses, tlv(Tlv.AUTHORITY, "example.org")));

        assertEquals(new ProxyHeader(2, Command.PROXY, new ProxyAddresses.Unspecified(),
                List.of(Tlv.authority("example.org"))), header);
        assertEquals(Optional.empty(), header.clientAddress());
    }

    /** Every byte in a read of its own: the reader takes no byte past the header, so has nothing to give back. */
    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void readsAHeaderArrivingOneByteAReadAndNotAByteMore(String version) throws Exception {
        byte[] header = version.equals("v1")
                ? ascii("PROXY TCP4 127.0.0.7 127.0.0.1 5123 443\r\n")
                : v2WithCrc32c(PROXY, TCP4, loopbackIpv4(), tlv(Tlv.AUTHORITY, "example.org"));
        byte[] after = ascii("GET / HTTP/1.1\r\n");
        connection.send(concat(header, after));
        TrickleTransport trickle = new TrickleTransport(connection.server);

        ProxyHeaderReader.Result result = new ProxyHeaderReader(ProxyHeaderReader.DEFAULT_MAX_BYTES)
                .read(trickle, System.nanoTime() + PATIENCE.toNanos());

        assertEquals(Optional.of(at("127.0.0." + (version.equals("v1") ? 7 : 1), 5123)),
                result.header().clientAddress());
        assertEquals(header.length, result.bytesRead());
        assertEquals(header.length, trickle.reads());
        assertArrayEquals(after, readAll(after.length));
    }

    /** What came in the same read as the header is the next stage's: it reads it first, then the rest. */
    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void bytesReadPastTheHeaderAreGivenBack(String version) throws Exception {
        byte[] header = version.equals("v1")
                ? ascii("PROXY TCP6 ::1 ::1 5123 443\r\n")
                : v2(PROXY, TCP4, loopbackIpv4(), tlv(Tlv.ALPN, "http/1.1"));
        byte[] after = ascii("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n");
        byte[] sent = concat(header, after);
        connection.send(sent);
        // All of it is there before the first read, so that read takes the bytes after the header too.
        await().atMost(PATIENCE).until(() -> connection.waiting() == sent.length);

        ProxyHeaderReader.Result result = read(ProxyHeaderReader.DEFAULT_MAX_BYTES, PATIENCE);

        assertEquals(header.length, result.bytesRead());
        assertTrue(connection.server.hasUnreadBytes());
        connection.send(ascii("more"));
        assertArrayEquals(concat(after, ascii("more")), readAll(after.length + 4));
    }

    private byte[] readAll(int count) throws IOException {
        ByteBuffer into = ByteBuffer.allocate(count);
        while (into.hasRemaining()) {
            if (connection.server.read(into, PATIENCE.toMillis()) < 0) {
                break;
            }
        }
        return Arrays.copyOf(into.array(), into.position());
    }

    static Stream<Arguments> refusals() {
        byte[] body = loopbackIpv4();
        byte[] badCrc = v2WithCrc32c(PROXY, TCP4, body);
        badCrc[badCrc.length - 1] ^= 1;
        return Stream.of(
                Arguments.of("HTTP", ascii("GET / HTTP/1.1\r\n"), "not a PROXY header: it starts \"G\""),
                Arguments.of("TLS", new byte[] {0x16, 3, 1, 0, (byte) 0xf4, 1},
                        "not a PROXY header: it starts \"\\x16\""),
                Arguments.of("nearly PROXY", ascii("PROXZ TCP4"), "not a PROXY header: it starts \"PROXZ\""),
                Arguments.of("PROXY without its space", ascii("PROXY\r\n"),
                        "not a PROXY header: it starts \"PROXY\\x0d\""),
                Arguments.of("nearly the v2 signature", ascii("\r\n\r\n\0\r\nQUIX"),
                        "not a PROXY header: it starts \"\\x0d\\x0a\\x0d\\x0a\\x00\\x0d\\x0aQUIX\""),
                Arguments.of("v1 lower case", ascii("PROXY tcp4 127.0.0.1 127.0.0.1 1 2\r\n"), "protocol \"t\""),
                Arguments.of("v1 other protocol", ascii("PROXY TCP5 127.0.0.1 127.0.0.1 1 2\r\n"), "protocol \"TCP5\""),
                Arguments.of("v1 two spaces first", ascii("PROXY  TCP4 127.0.0.1"), "protocol \"\\x20\""),
                Arguments.of("v1 UNKNOWN then junk", ascii("PROXY UNKNOWNX\r\n"), "protocol \"UNKNOWNX\""),
                Arguments.of("v1 leading zero in the address", ascii("PROXY TCP4 127.0.0.01 127.0.0.1 1 2\r\n"),
                        "source address \"127.0.0.01\" is not IPv4"),
                Arguments.of("v1 three-part address", ascii("PROXY TCP4 127.0.0.1 127.1 1 2\r\n"),
                        "destination address \"127.1\" is not IPv4"),
                Arguments.of("v1 IPv4 in a TCP6 line", ascii("PROXY TCP6 127.0.0.1 ::1 1 2\r\n"),
                        "source address \"127.0.0.1\" is not IPv6"),
                Arguments.of("v1 IPv6 in a TCP4 line", ascii("PROXY TCP4 ::1 ::1 1 2\r\n"), "byte : in a TCP4 line"),
                Arguments.of("v1 IPv6 with a zone", ascii("PROXY TCP6 fe80::1%1 ::1 1 2\r\n"), "byte % in a TCP6 line"),
                Arguments.of("v1 leading zero in the port", ascii("PROXY TCP4 127.0.0.1 127.0.0.1 01 2\r\n"),
                        "source port \"01\""),
                Arguments.of("v1 port beyond 65535", ascii("PROXY TCP4 127.0.0.1 127.0.0.1 1 65536\r\n"),
                        "destination port \"65536\""),
                Arguments.of("v1 two spaces", ascii("PROXY TCP4 127.0.0.1  127.0.0.1 1 2\r\n"),
                        "7 fields separated by single spaces where a TCP4 line has 6"),
                Arguments.of("v1 a field missing", ascii("PROXY TCP4 127.0.0.1 127.0.0.1 1\r\n"), "5 fields"),
                Arguments.of("v1 a tab", ascii("PROXY TCP4 127.0.0.1\t127.0.0.1 1 2\r\n"), "byte \\x09 in a TCP4 line"),
                Arguments.of("v1 bare LF", ascii("PROXY TCP4 127.0.0.1 127.0.0.1 1 2\n"), "an LF without a CR"),
                Arguments.of("v1 bare CR", ascii("PROXY TCP4 127.0.0.1 127.0.0.1 1 2\r\r\n"),
                        "a CR not followed by LF"),
                Arguments.of("v1 control byte in UNKNOWN", ascii("PROXY UNKNOWN \u0001\r\n"),
                        "byte \\x01 in a UNKNOWN line"),
                Arguments.of("v1 UTF-8 in UNKNOWN", ascii("PROXY UNKNOWN \u00c3\u00a9\r\n"), "byte \\xc3 in a UNKNOWN"),
                Arguments.of("v2 version 1", v2(0x11, TCP4, body), "version 1 after the v2 signature"),
                Arguments.of("v2 command 2", v2(0x22, TCP4, body), "command 2, neither LOCAL"),
                Arguments.of("v2 family 4", v2(PROXY, 0x41, body), "address family 4"),
                Arguments.of("v2 UDP", v2(PROXY, 0x12, body), "datagram"),
                Arguments.of("v2 UNIX datagram", v2(PROXY, 0x32, new byte[216]), "datagram"),
                Arguments.of("v2 transport 3", v2(PROXY, 0x13, body), "transport 3"),
                Arguments.of("v2 length short of IPv4 addresses", v2(PROXY, TCP4, new byte[11]),
                        "a length of 11, short of the 12 bytes of AF_INET addresses"),
                Arguments.of("v2 length short of IPv6 addresses", v2(PROXY, TCP6, body), "short of the 36 bytes"),
                Arguments.of("v2 length short of UNIX addresses", v2(LOCAL, 0x30, new byte[215]),
                        "short of the 216 bytes"),
                Arguments.of("v2 TLV past the end", v2(PROXY, TCP4, body, new byte[] {Tlv.ALPN, 0, 3, 'h', '2'}),
                        "a TLV runs past the end of the header"),
                Arguments.of("v2 TLV header cut", v2(PROXY, TCP4, body, new byte[] {Tlv.NOOP, 0}), "a TLV runs past"),
                Arguments.of("v2 wrong CRC32C", badCrc, "CRC32C 0x"),
                Arguments.of("v2 short CRC32C", v2(PROXY, TCP4, body, tlv(Tlv.CRC32C, new byte[3])),
                        "a CRC32C TLV of 3 bytes, not 4"),
                Arguments.of("v2 two AUTHORITY", v2(PROXY, TCP4, body, tlv(Tlv.AUTHORITY, "a.example"),
                        tlv(Tlv.AUTHORITY, "b.example")), "two TLVs of type 0x02"),
                Arguments.of("v2 two ALPN", v2(PROXY, TCP4, body, tlv(Tlv.ALPN, "h2"), tlv(Tlv.ALPN, "h2")),
                        "two TLVs of type 0x01"),
                Arguments.of("v2 AUTHORITY not UTF-8",
                        v2(PROXY, TCP4, body, tlv(Tlv.AUTHORITY, new byte[] {(byte) 0xc3})),
                        "an AUTHORITY TLV that is not a host name in UTF-8"),
                Arguments.of("v2 AUTHORITY of 256 bytes", v2(PROXY, TCP4, body, tlv(Tlv.AUTHORITY, "a".repeat(256))),
                        "an AUTHORITY TLV"),
                Arguments.of("v2 UNIQUE_ID of 129 bytes", v2(PROXY, TCP4, body, tlv(Tlv.UNIQUE_ID, new byte[129])),
                        "a UNIQUE_ID TLV of 129 bytes"),
                Arguments.of("v2 SSL shorter than its fixed part", v2(PROXY, TCP4, body, tlv(Tlv.SSL, new byte[4])),
                        "an SSL TLV whose own TLVs do not fit it"),
                Arguments.of("v2 SSL whose TLV runs past it", v2(PROXY, TCP4, body,
                        tlv(Tlv.SSL, concat(new byte[5], new byte[] {Tlv.SSL_VERSION, 0, 9, 'T'}))), "an SSL TLV"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void malformedHeadersAreRefusedWithTheirReason(String name, byte[] sent, String reason) throws Exception {
        ProxyHeaderRefusal e = refused(sent);
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(e.bytesRead() > 0 && e.bytesRead() <= sent.length, e.bytesRead() + " bytes read");
    }

    /** Bytes that cannot start a header are refused as they arrive, long before the deadline. */
    @ParameterizedTest
    @ValueSource(strings = {"G", "PROXI", "\r\n\r\n\0\r\nX", "PROXY TCP4 127.0.0.1 :"})
    void aWrongStartIsRefusedAtOnce(String start) throws Exception {
        connection.send(ascii(start));
        long began = System.nanoTime();

        ProxyHeaderRefusal e = assertThrows(ProxyHeaderRefusal.class, () -> read(ProxyHeaderReader.MIN_BYTES,
                Duration.ofMinutes(1)));

        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began) < 10, e.getMessage());
        assertEquals(start.length(), e.bytesRead());
    }

    /** Its length is refused when it arrives: the reader does not wait for, nor buffer, what it announces. */
    @Test
    void aV2HeaderLongerThanTheLimitIsRefusedByItsLength() throws Exception {
        byte[] fixed = ByteBuffer.allocate(16).put(Wire.V2_SIGNATURE).put((byte) PROXY).put((byte) TCP4)
                .putShort((short) 0xffff).array();
        connection.send(fixed);

        ProxyHeaderRefusal e = assertThrows(ProxyHeaderRefusal.class, () -> read(ProxyHeaderReader.DEFAULT_MAX_BYTES,
                Duration.ofMinutes(1)));

        assertEquals("PROXY v2 header too long: 65551 bytes, more than the limit of 4096", e.getMessage());
        assertEquals(16, e.bytesRead());
    }

    @Test
    void aV2HeaderOfTheLimitIsReadAndOneByteMoreIsNot() throws Exception {
        byte[] padding = new byte[ProxyHeaderReader.DEFAULT_MAX_BYTES - 16 - 12 - 3];
        byte[] atTheLimit = v2(PROXY, TCP4, loopbackIpv4(), tlv(0xE1, padding));
        assertEquals(ProxyHeaderReader.DEFAULT_MAX_BYTES, atTheLimit.length);
        assertEquals(List.of(new Tlv(0xE1, padding)), read(atTheLimit).tlvs());

        try (SocketPair another = new SocketPair()) {
            another.send(v2(PROXY, TCP4, loopbackIpv4(), tlv(0xE1, new byte[padding.length + 1])));
            ProxyHeaderRefusal e = assertThrows(ProxyHeaderRefusal.class, () -> new ProxyHeaderReader(
                    ProxyHeaderReader.DEFAULT_MAX_BYTES).read(another.server, System.nanoTime() + PATIENCE.toNanos()));
            assertTrue(e.getMessage().startsWith("PROXY v2 header too long: 4097 bytes"), e.getMessage());
        }
    }

    /** The smallest limit still takes UNIX addresses. */
    @Test
    void theSmallestLimitTakesAUnixHeader() throws Exception {
        connection.send(v2(PROXY, UNIX_STREAM, new byte[216]));
        ProxyHeaderReader.Result result = read(ProxyHeaderReader.MIN_BYTES, PATIENCE);
        assertEquals(new ProxyAddresses.Unix("", ""), result.header().addresses());
        assertEquals(ProxyHeaderReader.MIN_BYTES, result.bytesRead());
    }

    @ParameterizedTest
    @ValueSource(ints = {106, 107})
    void aV1LineWithoutItsCrlfIn107BytesIsTooLong(int length) throws Exception {
        // Printable all the way, so only the length is wrong; 106 bytes then CRLF would be 108.
        String line = "PROXY UNKNOWN " + "x".repeat(length - 14);
        ProxyHeaderRefusal e = refused(ascii(line + "\r\n"));
        assertEquals("PROXY v1 header too long: no CRLF in its first 107 bytes", e.getMessage());
        assertTrue(e.bytesRead() >= 107, e.bytesRead() + " bytes read");
    }

    @Test
    void aSilentClientIsCutAtTheDeadline() {
        long began = System.nanoTime();

        ProxyHeaderRefusal e = assertThrows(ProxyHeaderRefusal.class, () -> read(ProxyHeaderReader.DEFAULT_MAX_BYTES,
                Duration.ofMillis(300)));

        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        assertEquals("nothing sent before the deadline", e.getMessage());
        assertEquals(0, e.bytesRead());
        assertTrue(elapsedMillis >= 290 && elapsedMillis < 3000, "cut after " + elapsedMillis + " ms");
    }

    @Test
    void aClientStallingMidHeaderIsCutAtTheDeadline() throws Exception {
        connection.send(ascii("PROXY TCP4 127.0.0.1 "));
        long began = System.nanoTime();

        ProxyHeaderRefusal e = assertThrows(ProxyHeaderRefusal.class, () -> read(ProxyHeaderReader.DEFAULT_MAX_BYTES,
                Duration.ofMillis(300)));

        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        assertEquals("PROXY header not complete before the deadline", e.getMessage());
        assertEquals(21, e.bytesRead());
        assertTrue(elapsedMillis >= 290 && elapsedMillis < 3000, "cut after " + elapsedMillis + " ms");
    }

    @Test
    void aClientClosingWithoutAWordIsRefused() throws Exception {
        connection.client.shutdownOutput();
        ProxyHeaderRefusal e = assertThrows(ProxyHeaderRefusal.class, () -> read(ProxyHeaderReader.DEFAULT_MAX_BYTES,
                PATIENCE));
        assertEquals("client closed the connection without sending anything", e.getMessage());
    }

    @Test
    void aClientClosingMidHeaderIsRefused() throws Exception {
        byte[] header = v2(PROXY, TCP4, loopbackIpv4());
        connection.send(Arrays.copyOf(header, 20));
        connection.client.shutdownOutput();

        ProxyHeaderRefusal e = assertThrows(ProxyHeaderRefusal.class, () -> read(ProxyHeaderReader.DEFAULT_MAX_BYTES,
                PATIENCE));

        assertEquals("client closed the connection after 20 bytes of an unfinished PROXY header", e.getMessage());
        assertEquals(20, e.bytesRead());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "P", "PROXY", "PROXY ", "PROXY TCP4 127.0.0.1", "PROXY garbage after the signature",
        "\r", "\r\n\r\n\0\r\nQUIT", "\r\n\r\n\0\r\nQUIT\n", "\r\n\r\n\0\r\nQUIT\n!\u0011"})
    void bytesThatCouldStartAHeader(String start) {
        ByteBuffer bytes = ByteBuffer.wrap(ascii("x" + start)).position(1);
        assertTrue(ProxyHeaderReader.couldStartHeader(bytes));
        assertEquals(1, bytes.position());
    }

    @ParameterizedTest
    @ValueSource(strings = {"G", "GET / HTTP/1.1\r\n", "PROXZ", "PROXY\r\n", " PROXY ", "proxy ", "\n", "\r\r",
        "\r\n\r\n\0\r\nQUIX", "\u0016\u0003\u0001", "SSH-2.0-"})
    void bytesThatCannotStartAHeader(String start) {
        assertFalse(ProxyHeaderReader.couldStartHeader(ByteBuffer.wrap(ascii(start))));
    }

    @ParameterizedTest
    @ValueSource(ints = {ProxyHeaderReader.MIN_BYTES - 1, ProxyHeaderReader.MAX_BYTES + 1})
    void aLimitOutsideItsBoundsIsRejected(int limit) {
        assertThrows(IllegalArgumentException.class, () -> new ProxyHeaderReader(limit));
    }
}
