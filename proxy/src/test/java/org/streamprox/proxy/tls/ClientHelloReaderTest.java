package org.streamprox.proxy.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.proxy.tls.CraftedHello.concat;
import static org.streamprox.proxy.tls.CraftedHello.message;
import static org.streamprox.proxy.tls.CraftedHello.records;
import static org.streamprox.proxy.tls.CraftedHello.uint16;
import static org.streamprox.proxy.tls.CraftedHello.vector16;
import static org.streamprox.proxy.tls.TlsAlert.DECODE_ERROR;
import static org.streamprox.proxy.tls.TlsAlert.HANDSHAKE_FAILURE;
import static org.streamprox.proxy.tls.TlsAlert.ILLEGAL_PARAMETER;
import static org.streamprox.proxy.tls.TlsAlert.PROTOCOL_VERSION;
import static org.streamprox.proxy.tls.TlsAlert.RECORD_OVERFLOW;
import static org.streamprox.proxy.tls.TlsAlert.UNEXPECTED_MESSAGE;
import static org.streamprox.testkit.Http.ascii;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
import org.streamprox.proxy.transport.PlainTransport;

/** The ClientHello reader over a real loopback connection, fed hellos crafted to be awkward or broken. */
class ClientHelloReaderTest {

    private static final int LIMIT = 16 * 1024;

    private ServerSocketChannel listener;
    private Socket client;
    private SocketChannel server;

    @BeforeEach
    void connect() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        client = new Socket(InetAddress.getLoopbackAddress(), listener.socket().getLocalPort());
        client.setTcpNoDelay(true);
        server = listener.accept();
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        server.close();
        listener.close();
    }

    private ClientHelloReader.Result read(int limit, Duration timeout) throws IOException, TlsRefusal {
        return new ClientHelloReader(limit).read(new PlainTransport(server), System.nanoTime() + timeout.toNanos());
    }

    private ClientHelloReader.Result read(byte[] sent) throws IOException, TlsRefusal {
        client.getOutputStream().write(sent);
        return read(LIMIT, Duration.ofSeconds(10));
    }

    private TlsRefusal refused(byte[] sent) throws IOException {
        client.getOutputStream().write(sent);
        return assertThrows(TlsRefusal.class, () -> read(LIMIT, Duration.ofSeconds(10)));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Test
    void readsTheNameAndProtocolsAndKeepsWhatFollowsTheHello() throws Exception {
        byte[] hello = new CraftedHello().serverName("WWW.Example.ORG").alpn("h2", "http/1.1").records(LIMIT);
        // A TLS 1.3 client's compatibility ChangeCipherSpec and the start of its early data.
        byte[] after = {20, 3, 3, 0, 1, 1, 23, 3, 3, 0, 5, 'e', 'a', 'r'};
        byte[] sent = concat(hello, after);
        client.getOutputStream().write(sent);
        // All of it is there before the first read, so that read takes the bytes after the hello too.
        await().atMost(Duration.ofSeconds(5)).until(() -> server.socket().getInputStream().available() == sent.length);

        ClientHelloReader.Result result = read(LIMIT, Duration.ofSeconds(10));

        assertEquals(new ClientHello(Optional.of("www.example.org"), List.of("h2", "http/1.1"), false),
                result.hello());
        assertEquals(sent.length, result.bytesRead());
        // Every byte read, from the first, unchanged: what a passthrough forwards or a TLS engine is fed.
        assertArrayEquals(sent, bytes(result.buffered()));
    }

    /** What peers broke on: a hello larger than a packet, in several records, arriving in several reads. */
    @Test
    void readsAHelloCutIntoOneByteRecordsArrivingAFewBytesAtATime() throws Exception {
        byte[] sent = new CraftedHello().serverName("split.example").alpn("h2")
                .extension(CraftedHello.KEY_SHARE, new byte[1300]).records(1);
        Thread dripper = Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = client.getOutputStream();
                for (int from = 0; from < sent.length; from += 7) {
                    out.write(sent, from, Math.min(7, sent.length - from));
                    if (from % 700 == 0) {
                        // Now and then the reader takes what came before more is sent, so it sees partial records.
                        await().atMost(Duration.ofSeconds(5))
                                .until(() -> server.socket().getInputStream().available() == 0);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        ClientHelloReader.Result result = read(LIMIT, Duration.ofSeconds(10));

        dripper.join();
        assertEquals(Optional.of("split.example"), result.hello().serverName());
        assertEquals(List.of("h2"), result.hello().protocols());
        assertEquals(sent.length, result.bytesRead());
        assertArrayEquals(sent, bytes(result.buffered()));
    }

    @Test
    void aHelloWithoutServerNameOrAlpnHasNeither() throws Exception {
        ClientHello hello = read(new CraftedHello().extension(CraftedHello.SUPPORTED_VERSIONS, new byte[] {2, 3, 4})
                .records(LIMIT)).hello();
        assertEquals(new ClientHello(Optional.empty(), List.of(), false), hello);
    }

    @Test
    void aTls12HelloWithoutAnyExtensionsIsRead() throws Exception {
        ClientHello hello = read(new CraftedHello().version(0x0301).sessionId(0).withoutExtensions().records(LIMIT))
                .hello();
        assertEquals(new ClientHello(Optional.empty(), List.of(), false), hello);
    }

    @Test
    void anEncryptedHelloIsMarkedAndCarriesTheOuterName() throws Exception {
        byte[] echOuter = {0, 0, 1, 0, 1, 7, 0, 2, 9, 9, 0, 3, 1, 2, 3};
        ClientHello hello = read(new CraftedHello().serverName("public.example").alpn("h2")
                .extension(CraftedHello.ENCRYPTED_CLIENT_HELLO, echOuter).records(LIMIT)).hello();
        assertEquals(new ClientHello(Optional.of("public.example"), List.of("h2"), true), hello);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "localhost", "xn--bcher-kva.example", "a-.b-c.example", "1.2.3.4.example",
        "123.com1", "0x7f.example"})
    void validHostNamesAreRead(String name) throws Exception {
        assertEquals(Optional.of(name), read(new CraftedHello().serverName(name).records(LIMIT)).hello().serverName());
    }

    @Test
    void theLongestHostNameIsRead() throws Exception {
        String label = "a".repeat(63);
        String name = String.join(".", label, label, label, "a".repeat(61));
        assertEquals(253, name.length());
        assertEquals(Optional.of(name), read(new CraftedHello().serverName(name).records(LIMIT)).hello().serverName());
    }

    static Stream<Arguments> malformedHellos() {
        byte[] good = message(new CraftedHello().serverName("a.example").body());
        byte[] half = Arrays.copyOf(good, good.length / 2);
        byte[] rest = Arrays.copyOfRange(good, half.length, good.length);
        byte[] changeCipherSpec = {20, 3, 3, 0, 1, 1};
        byte[] twoNames = vector16(concat(concat(new byte[] {0}, vector16(ascii("a.example"))),
                concat(new byte[] {0}, vector16(ascii("b.example")))));
        byte[] oneExtension = new CraftedHello().extension(CraftedHello.SUPPORTED_VERSIONS, new byte[2]).body();
        // Its length, before its 2 bytes of data, says 9.
        byte[] extensionPastItsBlock = replaced(oneExtension, oneExtension.length - 4, 0, 9);
        return Stream.of(
                Arguments.of("SSL 2.0 hello", new byte[] {(byte) 0x80, 0x2e, 1, 3, 1, 0, 0x15}, PROTOCOL_VERSION),
                Arguments.of("alert first", new byte[] {21, 3, 3, 0, 2, 2, 40}, UNEXPECTED_MESSAGE),
                Arguments.of("ChangeCipherSpec first", changeCipherSpec, UNEXPECTED_MESSAGE),
                Arguments.of("application data first", new byte[] {23, 3, 3, 0, 1, 0}, UNEXPECTED_MESSAGE),
                Arguments.of("HTTP", ascii("GET / HTTP/1.1\r\n"), UNEXPECTED_MESSAGE),
                Arguments.of("record version 2.0", new byte[] {22, 2, 0, 0, 1}, PROTOCOL_VERSION),
                Arguments.of("record version 3.5", new byte[] {22, 3, 5, 0, 1}, PROTOCOL_VERSION),
                Arguments.of("empty record", new byte[] {22, 3, 1, 0, 0}, UNEXPECTED_MESSAGE),
                Arguments.of("record over 2^14", new byte[] {22, 3, 1, 0x40, 1}, RECORD_OVERFLOW),
                Arguments.of("a ServerHello", inRecord(replaced(good, 0, 2)), UNEXPECTED_MESSAGE),
                Arguments.of("ChangeCipherSpec inside the hello",
                        concat(concat(inRecord(half), changeCipherSpec), inRecord(rest)), UNEXPECTED_MESSAGE),
                Arguments.of("hello not ending its record", inRecord(concat(good, new byte[] {1})), UNEXPECTED_MESSAGE),
                Arguments.of("hello version 2.0", new CraftedHello().version(0x0200).records(LIMIT), PROTOCOL_VERSION),
                Arguments.of("hello shorter than its fields", inRecord(message(new byte[] {3, 3, 0})), DECODE_ERROR),
                Arguments.of("session id of 33", new CraftedHello().sessionId(33).records(LIMIT), DECODE_ERROR),
                Arguments.of("odd cipher suites",
                        new CraftedHello().cipherSuites((byte) 0x13, (byte) 1, (byte) 0x13).records(LIMIT),
                        DECODE_ERROR),
                Arguments.of("no cipher suites", new CraftedHello().cipherSuites().records(LIMIT), DECODE_ERROR),
                Arguments.of("no compression methods", new CraftedHello().compressionMethods().records(LIMIT),
                        DECODE_ERROR),
                Arguments.of("bytes after the extensions",
                        inRecord(message(concat(new CraftedHello().alpn("h2").body(), new byte[] {0}))), DECODE_ERROR),
                Arguments.of("extension past its block", inRecord(message(extensionPastItsBlock)), DECODE_ERROR),
                Arguments.of("extension twice", new CraftedHello().alpn("h2").alpn("h2").records(LIMIT),
                        ILLEGAL_PARAMETER),
                Arguments.of("pre_shared_key not last", new CraftedHello()
                        .extension(CraftedHello.PRE_SHARED_KEY, new byte[4]).alpn("h2").records(LIMIT),
                        ILLEGAL_PARAMETER),
                Arguments.of("empty server_name", new CraftedHello().extension(CraftedHello.SERVER_NAME, new byte[0])
                        .records(LIMIT), DECODE_ERROR),
                Arguments.of("empty server_name list", new CraftedHello()
                        .extension(CraftedHello.SERVER_NAME, uint16(0)).records(LIMIT), DECODE_ERROR),
                Arguments.of("server name of type 1", new CraftedHello().extension(CraftedHello.SERVER_NAME,
                        vector16(concat(new byte[] {1}, vector16(ascii("a.example"))))).records(LIMIT), DECODE_ERROR),
                Arguments.of("two host names",
                        new CraftedHello().extension(CraftedHello.SERVER_NAME, twoNames).records(LIMIT), DECODE_ERROR),
                Arguments.of("empty host name", new CraftedHello().serverName("").records(LIMIT), DECODE_ERROR),
                Arguments.of("empty ALPN list",
                        new CraftedHello().extension(CraftedHello.ALPN, uint16(0)).records(LIMIT), DECODE_ERROR),
                Arguments.of("empty ALPN name", new CraftedHello().alpn("h2", "").records(LIMIT), DECODE_ERROR),
                Arguments.of("ALPN name past its list", new CraftedHello()
                        .extension(CraftedHello.ALPN, vector16(new byte[] {5, 'h', '2'})).records(LIMIT),
                        DECODE_ERROR));
    }

    private static byte[] inRecord(byte[] message) {
        return records(message, LIMIT);
    }

    /** A copy of the bytes with the ones from {@code index} on replaced. */
    private static byte[] replaced(byte[] bytes, int index, int... replacements) {
        byte[] copy = bytes.clone();
        for (int i = 0; i < replacements.length; i++) {
            copy[index + i] = (byte) replacements[i];
        }
        return copy;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHellos")
    void malformedHellosAreRefusedWithTheirAlert(String name, byte[] sent, int alert) throws Exception {
        TlsRefusal e = refused(sent);
        assertEquals(alert, e.alert(), e.getMessage());
        assertTrue(e.answerable());
        assertTrue(e.bytesRead() > 0 && e.bytesRead() <= sent.length, e.bytesRead() + " bytes read");
    }

    static Stream<Arguments> invalidHostNames() {
        String label = "a".repeat(63);
        return Stream.of(
                Arguments.of("under_score.example", "byte 0x5f"),
                Arguments.of("sp ace.example", "byte 0x20"),
                Arguments.of("caf\u00e9.example", "byte 0xe9"),
                Arguments.of("a.example:443", "byte 0x3a"),
                Arguments.of("::1", "byte 0x3a"),
                Arguments.of("[::1]", "byte 0x5b"),
                Arguments.of("trailing.dot.", "ending with a dot"),
                Arguments.of(".leading.dot", "empty label"),
                Arguments.of("double..dot", "empty label"),
                Arguments.of("127.0.0.1", "IP address"),
                Arguments.of("0x7f.0.0.1", "IP address"),
                Arguments.of("1.2.3.0x1F", "IP address"),
                Arguments.of("a".repeat(64) + ".example", "label longer than 63"),
                Arguments.of(String.join(".", label, label, label, "a".repeat(62)), "of 254 bytes"));
    }

    /** Not DNS host names (RFC 6066 3), IP addresses among them: refused with illegal_parameter. */
    @ParameterizedTest
    @MethodSource("invalidHostNames")
    void invalidHostNamesAreRefusedWithIllegalParameter(String name, String reason) throws Exception {
        TlsRefusal e = refused(new CraftedHello().serverName(name).records(LIMIT));
        assertEquals(ILLEGAL_PARAMETER, e.alert(), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    /** A length beyond the limit is refused when the handshake header arrives, not once the limit's bytes have. */
    @Test
    void aHelloLongerThanTheLimitIsRefusedByItsHeader() throws Exception {
        byte[] hello = new CraftedHello().serverName("big.example").extension(CraftedHello.PADDING, new byte[2000])
                .records(LIMIT);
        client.getOutputStream().write(hello, 0, 9);

        TlsRefusal e = assertThrows(TlsRefusal.class, () -> read(1024, Duration.ofSeconds(5)));

        assertEquals(HANDSHAKE_FAILURE, e.alert(), e.getMessage());
        assertEquals(9, e.bytesRead());
    }

    /** A hello within the limit by its length, but whose records' headers take it past the limit. */
    @Test
    void aHelloWhoseRecordsExceedTheLimitIsRefused() throws Exception {
        byte[] hello = new CraftedHello().serverName("small.example").extension(CraftedHello.PADDING, new byte[200])
                .records(1);
        assertTrue(hello.length > 1024 && hello.length / 6 < 1024, hello.length + " bytes");
        client.getOutputStream().write(hello);

        TlsRefusal e = assertThrows(TlsRefusal.class, () -> read(1024, Duration.ofSeconds(10)));

        assertEquals(HANDSHAKE_FAILURE, e.alert(), e.getMessage());
        assertEquals(1024, e.bytesRead());
    }

    @Test
    void anUnfinishedHelloIsClosedWithoutAnAlertAtTheDeadline() throws Exception {
        byte[] hello = new CraftedHello().serverName("slow.example").records(LIMIT);
        client.getOutputStream().write(hello, 0, hello.length - 1);
        long start = System.nanoTime();

        TlsRefusal e = assertThrows(TlsRefusal.class, () -> read(LIMIT, Duration.ofMillis(300)));

        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertFalse(e.answerable());
        assertTrue(e.getMessage().contains("not complete"), e.getMessage());
        assertEquals(hello.length - 1, e.bytesRead());
        assertTrue(elapsedMillis >= 290 && elapsedMillis < 3000, "cut after " + elapsedMillis + " ms");
    }

    @Test
    void aSilentClientIsClosedWithoutAnAlert() {
        TlsRefusal e = assertThrows(TlsRefusal.class, () -> read(LIMIT, Duration.ofMillis(200)));
        assertFalse(e.answerable());
        assertTrue(e.getMessage().contains("nothing sent"), e.getMessage());
        assertEquals(0, e.bytesRead());
    }

    @Test
    void aClientClosingMidHelloIsClosedWithoutAnAlert() throws Exception {
        byte[] hello = new CraftedHello().serverName("gone.example").records(LIMIT);
        client.getOutputStream().write(hello, 0, 20);
        client.shutdownOutput();

        TlsRefusal e = assertThrows(TlsRefusal.class, () -> read(LIMIT, Duration.ofSeconds(10)));

        assertFalse(e.answerable());
        assertEquals(20, e.bytesRead());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1023, 1024 * 1024 + 1})
    void aLimitOutsideItsBoundsIsRejected(int limit) {
        assertThrows(IllegalArgumentException.class, () -> new ClientHelloReader(limit));
    }
}
