package org.streamprox.proxy.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.http.HeadReader;
import org.streamprox.proxy.transport.PlainTransport;
import org.streamprox.proxy.transport.Transport;
import org.streamprox.testkit.TrickleTransport;
import org.streamprox.testkit.LoopbackConnection;

/**
 * The detector over a real loopback connection: what it decides, when, after how many bytes, and that the next
 * stage reads every byte again.
 */
class DetectorTest {

    private static final long WAIT = TimeUnit.SECONDS.toNanos(10);
    private static final long SHORT = TimeUnit.MILLISECONDS.toNanos(300);
    private static final int LIMIT = 2048;
    private static final String PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    private static final List<NamedProbe> BUILT_IN = builtIn("tls", "ssh", "h2c", "http");
    private static final Detector DETECTOR = new Detector(BUILT_IN, LIMIT);

    @RegisterExtension
    final LoopbackConnection connection = new LoopbackConnection();
    private Socket peer;
    private PlainTransport transport;

    @BeforeEach
    void connect() {
        peer = connection.peer();
        transport = connection.transport();
    }

    private static List<NamedProbe> builtIn(String... names) {
        return Stream.of(names).map(name -> NamedProbe.builtIn(name).orElseThrow()).toList();
    }

    /** The built-in probes after the given ones. */
    private static Detector after(NamedProbe... first) {
        List<NamedProbe> probes = new ArrayList<>(List.of(first));
        probes.addAll(BUILT_IN);
        return new Detector(probes, LIMIT);
    }

    private void send(byte[] bytes) throws IOException {
        peer.getOutputStream().write(bytes);
    }

    private static Detection detect(Detector detector, Transport client) throws IOException {
        long now = System.nanoTime();
        return detector.detect(client, now + WAIT, now + WAIT);
    }

    /** What the next stage reads: the bytes given back first, then the socket's. */
    private byte[] readAgain(int length) throws IOException {
        ByteBuffer into = ByteBuffer.allocate(length);
        while (into.hasRemaining() && transport.read(into, TimeUnit.NANOSECONDS.toMillis(WAIT)) >= 0) {
            // Until all are in.
        }
        return Arrays.copyOf(into.array(), into.position());
    }

    /**
     * That the detection ended at the deadline {@code SHORT} after {@code start}, not long after: {@code readBefore}
     * rounds its wait down to whole milliseconds, so it may end up to one early.
     */
    private static void assertEndedAtTheShortDeadline(long start) {
        long waited = System.nanoTime() - start;
        assertTrue(waited > SHORT - TimeUnit.MILLISECONDS.toNanos(1) && waited < WAIT / 2,
                TimeUnit.NANOSECONDS.toMillis(waited) + " ms");
    }

    @Test
    void anHttpRequestIsHttpAndTheHeadReaderReadsItAgain() throws Exception {
        byte[] request = ascii("GET /path HTTP/1.1\r\nHost: example.org\r\n\r\n");
        send(request);

        assertEquals(new Detection.Matched(Protocol.HTTP, request.length), detect(DETECTOR, transport));
        HeadReader.Result read = new HeadReader(HeadLimits.defaults()).read(transport);
        assertEquals("/path", read.head().target());
    }

    static Stream<Arguments> greetings() {
        return Stream.of(
                Arguments.of(ascii("SSH-2.0-OpenSSH_9.6\r\n"), Protocol.SSH, 4),
                Arguments.of(ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), Protocol.HTTP, 5),
                Arguments.of(ascii(PREFACE + "\0\0\0\4\0\0\0\0\0"), Protocol.H2C, 24),
                Arguments.of(new byte[] {0x16, 3, 1, 0, 1, 1}, Protocol.TLS, 3));
    }

    /** One byte per read, the worst a network can do: each probe decides at the byte that tells, no later. */
    @ParameterizedTest
    @MethodSource("greetings")
    void trickledBytesAreDecidedAtTheByteThatTells(byte[] greeting, Protocol protocol, int decidingByte)
            throws Exception {
        send(greeting);
        TrickleTransport trickle = new TrickleTransport(transport);

        assertEquals(new Detection.Matched(protocol, decidingByte), detect(DETECTOR, trickle));
        assertEquals(decidingByte, trickle.reads());
        assertArrayEquals(greeting, readAgain(greeting.length));
    }

    @Test
    void aClientSilentUntilTheDetectDeadlineIsSilent() throws Exception {
        long start = System.nanoTime();

        Detection detection = DETECTOR.detect(transport, start + SHORT, start + WAIT);

        assertEquals(new Detection.Silent(), detection);
        assertEndedAtTheShortDeadline(start);
        assertFalse(transport.hasUnreadBytes());
    }

    /** As a listener without a route for silent clients asks: then silence is a client that sent nothing in time. */
    @Test
    void withTheHeadDeadlineAsDetectDeadlineSilenceLastsUntilIt() throws Exception {
        long start = System.nanoTime();

        Detection detection = DETECTOR.detect(transport, start + SHORT, start + SHORT);

        assertEquals(new Detection.Silent(), detection);
        assertEndedAtTheShortDeadline(start);
    }

    @Test
    void aDetectDeadlineAfterTheHeadDeadlineWaitsOnlyUntilTheHeadDeadline() throws Exception {
        long start = System.nanoTime();

        Detection detection = DETECTOR.detect(transport, start + WAIT, start + SHORT);

        assertEquals(new Detection.Silent(), detection);
        assertEndedAtTheShortDeadline(start);
    }

    @Test
    void aClientThatClosesWithoutSendingIsClosed() throws Exception {
        peer.shutdownOutput();

        assertEquals(new Detection.Closed(), detect(DETECTOR, transport));
    }

    @Test
    void bytesThenTheEndOfTheStreamWhileAProbeWaitsAreUnknown() throws Exception {
        send(ascii("SSH"));
        peer.shutdownOutput();

        assertEquals(new Detection.Unknown(3), detect(DETECTOR, transport));
        assertArrayEquals(ascii("SSH"), readAgain(4));
    }

    /** The head deadline has passed: the caller reports a stalled head itself, knowing which probe waited. */
    @ParameterizedTest
    @CsvSource({"SSH, ssh", "GET, http", "PRI * HTTP/2.0, h2c"})
    void bytesThenSilenceUntilTheHeadDeadlineAreIncomplete(String start, String awaited) throws Exception {
        send(ascii(start));
        long now = System.nanoTime();

        Detection detection = DETECTOR.detect(transport, now + SHORT, now + SHORT);

        assertEquals(new Detection.Incomplete(new Protocol(awaited), start.length()), detection);
        assertEndedAtTheShortDeadline(now);
        assertArrayEquals(ascii(start), readAgain(start.length()));
    }

    @Test
    void bytesNoProbeKnowsAreUnknownAtOnce() throws Exception {
        send(new byte[] {0, 1, 2, 3});
        long start = System.nanoTime();

        assertEquals(new Detection.Unknown(4), detect(DETECTOR, transport));
        assertTrue(System.nanoTime() - start < WAIT / 2);
    }

    /** A method token that never ends: the HTTP probe would wait for ever, the limit stops it. */
    @Test
    void theByteLimitEndsTheWaitOfAProbeThatWantsMore() throws Exception {
        byte[] endless = new byte[100];
        Arrays.fill(endless, (byte) 'A');
        send(endless);

        assertEquals(new Detection.Unknown(64), detect(new Detector(BUILT_IN, 64), transport));
        assertArrayEquals(endless, readAgain(endless.length));
    }

    static Stream<Arguments> regexGreetings() {
        Protocol greeting = new Protocol("greeting");
        return Stream.of(
                Arguments.of("HELLO [a-z]+\\r\\n", ascii("HELLO world\r\n"), new Detection.Matched(greeting, 13)),
                // The regex says no at the W, HTTP (HELLO as a method, World as a scheme) at the CR.
                Arguments.of("HELLO [a-z]+\\r\\n", ascii("HELLO World\r\n"), new Detection.Unknown(12)),
                Arguments.of("\\x00\\x00\\x00..\\x03", new byte[] {0, 0, 0, 9, (byte) 0xff, 3, 1},
                        new Detection.Matched(greeting, 6)),
                Arguments.of("\\x00\\x00\\x00..\\x03", new byte[] {0, 0, 0, 9, (byte) 0xff, 4, 1},
                        new Detection.Unknown(6)));
    }

    /** Trickled, so the regex sees every prefix and asks for more until the byte that tells. */
    @ParameterizedTest
    @MethodSource("regexGreetings")
    void aRegexAsksForMoreUntilItCanTell(String regex, byte[] greeting, Detection expected) throws Exception {
        send(greeting);
        Detector detector = after(NamedProbe.regex("greeting", Pattern.compile(regex)));

        assertEquals(expected, detect(detector, new TrickleTransport(transport)));
        assertArrayEquals(greeting, readAgain(greeting.length));
    }

    @ParameterizedTest
    @CsvSource({"SSH-2.0-Custom_1.0, custom-ssh", "SSH-2.0-OpenSSH_9.6, ssh"})
    void aRegexListedBeforeSshWinsOverIt(String banner, String protocol) throws Exception {
        send(ascii(banner + "\r\n"));
        Detector detector = after(NamedProbe.regex("custom-ssh", Pattern.compile("SSH-2\\.0-Custom")));

        assertEquals(new Protocol(protocol), ((Detection.Matched) detect(detector, transport)).protocol());
    }

    /**
     * HTTP could tell at {@code GET /}, but the regex before it still waits: sslh would take HTTP there, this
     * detector waits for the regex's answer, so a knock cut by the network is not lost to HTTP.
     */
    @ParameterizedTest
    @CsvSource({"GET /knock HTTP/1.1, knock, 11", "GET /index.html HTTP/1.1, http, 6"})
    void aLaterProbeDoesNotOvertakeAnEarlierOneStillWaiting(String requestLine, String protocol, int decidingByte)
            throws Exception {
        send(ascii(requestLine + "\r\n"));
        Detector detector = after(NamedProbe.regex("knock", Pattern.compile("GET /knock ")));

        assertEquals(new Detection.Matched(new Protocol(protocol), decidingByte),
                detect(detector, new TrickleTransport(transport)));
    }
}
