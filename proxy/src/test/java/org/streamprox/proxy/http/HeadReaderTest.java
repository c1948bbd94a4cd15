package org.streamprox.proxy.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamprox.proxy.transport.PlainTransport;

/** The head reader over a real loopback connection, fed the way clients really send. */
class HeadReaderTest {

    private static final HeadLimits DEFAULTS = HeadLimits.defaults();

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

    private HeadReader.Result read(HeadLimits limits) throws Exception {
        return new HeadReader(limits).read(new PlainTransport(server));
    }

    private HeadException rejected(HeadLimits limits, String sent) throws IOException {
        client.getOutputStream().write(ascii(sent));
        return assertThrows(HeadException.class, () -> read(limits));
    }

    @Test
    void parsesARequestAndKeepsPipelinedBytesExactly() throws Exception {
        String head = "POST /upload?x=1 HTTP/1.1\r\nHost: Example.org:8080\r\nX-A: 1\r\nx-a:  2 \r\n\r\n";
        byte[] body = {0, 1, 2, (byte) 0xff, '\r', '\n', '\r', '\n', 'G', 'E', 'T'};
        OutputStream out = client.getOutputStream();
        out.write(ascii(head));
        out.write(body);

        HeadReader.Result result = read(DEFAULTS);
        RequestHead parsed = result.head();

        assertEquals("POST", parsed.method());
        assertEquals("/upload?x=1", parsed.target());
        assertEquals("/upload", parsed.path());
        assertEquals("HTTP/1.1", parsed.version());
        assertEquals("example.org", parsed.host().orElseThrow());
        assertEquals(java.util.List.of("1", "2"), parsed.headers().all("x-A"));
        assertArrayEquals(ascii(head), parsed.raw());
        byte[] leftover = new byte[result.leftover().remaining()];
        result.leftover().get(leftover);
        // The leftover is whatever the reads returned after the head: a prefix of the body, never altered.
        assertTrue(leftover.length <= body.length);
        assertArrayEquals(Arrays.copyOf(body, leftover.length), leftover);
    }

    /** A stage in front of the head reader (a PROXY header, a TLS probe) peeks and gives back: the head is the same. */
    @Test
    void readsBytesAnEarlierStageReplayedBeforeTheSocketsOwn() throws Exception {
        String head = "GET /peeked HTTP/1.1\r\nHost: a\r\n\r\n";
        client.getOutputStream().write(ascii(head + "body"));
        PlainTransport transport = new PlainTransport(server);
        ByteBuffer peeked = ByteBuffer.allocate(5);
        while (peeked.hasRemaining()) {
            transport.read(peeked);
        }
        transport.replay(peeked.flip());

        HeadReader.Result result = new HeadReader(DEFAULTS).read(transport);

        assertArrayEquals(ascii(head), result.head().raw());
        assertEquals("/peeked", result.head().path());
        byte[] leftover = new byte[result.leftover().remaining()];
        result.leftover().get(leftover);
        assertArrayEquals(Arrays.copyOf(ascii("body"), leftover.length), leftover);
    }

    @Test
    void acceptsAHeadDeliveredOneBytePerSegment() throws Exception {
        String head = "GET /slowly HTTP/1.1\r\nHost: a\r\nUser-Agent: drip\r\n\r\n";
        CountDownLatch delivered = new CountDownLatch(1);
        Thread dripper = Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = client.getOutputStream();
                for (byte b : ascii(head)) {
                    out.write(b);
                    out.flush();
                }
                delivered.countDown();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        HeadReader.Result result = read(DEFAULTS);

        dripper.join();
        assertEquals(0, delivered.getCount());
        assertEquals("/slowly", result.head().path());
        assertEquals("drip", result.head().headers().first("user-agent").orElseThrow());
        assertEquals(0, result.leftover().remaining());
    }

    @Test
    void requestLineModeStopsAfterTheFirstLineAndKeepsTheRest() throws Exception {
        HeadLimits limits = new HeadLimits(HeadLimits.Until.REQUEST_LINE, 1024, 100, Duration.ofSeconds(5));
        String sent = "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n";
        client.getOutputStream().write(ascii(sent));

        HeadReader.Result result = read(limits);

        assertArrayEquals(ascii("GET /ws HTTP/1.1\r\n"), result.head().raw());
        assertEquals(0, result.head().headers().size());
        byte[] all = new byte[result.buffered().remaining()];
        result.buffered().get(all);
        assertEquals(sent.substring(0, all.length), new String(all, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Test
    void aHeadOverTheByteLimitIsAnswered431() throws Exception {
        HeadLimits limits = new HeadLimits(HeadLimits.Until.HEADERS, 256, 100, Duration.ofSeconds(5));
        HeadException e = rejected(limits, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "x".repeat(400) + "\r\n\r\n");
        assertEquals(431, e.status());
    }

    @Test
    void anOversizedRequestLineIsAnswered431() throws Exception {
        HeadLimits limits = new HeadLimits(HeadLimits.Until.REQUEST_LINE, 256, 100, Duration.ofSeconds(5));
        HeadException e = rejected(limits, "GET /" + "a".repeat(300) + " HTTP/1.1\r\n");
        assertEquals(431, e.status());
    }

    @Test
    void aHeadInTooManyReadsIsAnswered400() throws Exception {
        HeadLimits limits = new HeadLimits(HeadLimits.Until.HEADERS, 1024, 3, Duration.ofSeconds(5));
        Thread.ofVirtual().start(() -> {
            try {
                for (String piece : new String[] {"GE", "T / HT", "TP/1.1\r\n", "Host: a\r\n\r\n"}) {
                    client.getOutputStream().write(ascii(piece));
                    // Each piece is taken by its own read before the next one is sent.
                    await().atMost(Duration.ofSeconds(5)).until(() -> server.socket().getInputStream().available() == 0);
                }
            } catch (IOException | RuntimeException e) {
                // The reader gives up after the third piece and the sockets close: the point of the test.
            }
        });
        HeadException e = assertThrows(HeadException.class, () -> read(limits));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("3 reads"), e.getMessage());
    }

    @Test
    void anUnfinishedHeadIsAnswered408AtTheDeadline() throws Exception {
        HeadLimits limits = new HeadLimits(HeadLimits.Until.HEADERS, 1024, 100, Duration.ofMillis(300));
        long start = System.nanoTime();
        HeadException e = rejected(limits, "GET / HTTP/1.1\r\nHost:");
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(408, e.status());
        assertTrue(elapsedMillis >= 290 && elapsedMillis < 3000, "cut after " + elapsedMillis + " ms");
    }

    @Test
    void aSilentClientIsClosedWithoutAnAnswer() {
        HeadLimits limits = new HeadLimits(HeadLimits.Until.HEADERS, 1024, 100, Duration.ofMillis(200));
        HeadException e = assertThrows(HeadException.class, () -> read(limits));
        assertEquals(0, e.status());
    }

    @Test
    void aClientClosingMidHeadIsClosed() throws Exception {
        client.getOutputStream().write(ascii("GET / HT"));
        client.shutdownOutput();
        HeadException e = assertThrows(HeadException.class, () -> read(DEFAULTS));
        assertEquals(0, e.status());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bare LF                | GET / HTTP/1.1\\nHost: a\\n\\n                     | 400",
        "bare CR                | GET / HTTP/1.1\\rHost: a\\r\\n\\r\\n                 | 400",
        "empty first line       | \\r\\nGET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n           | 400",
        "obsolete folding       | GET / HTTP/1.1\\r\\nHost: a\\r\\nX: 1\\r\\n 2\\r\\n\\r\\n   | 400",
        "space before colon     | GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n               | 400",
        "double space           | GET  / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n               | 400",
        "missing version        | GET /\\r\\nHost: a\\r\\n\\r\\n                         | 400",
        "lower-case version     | GET / http/1.1\\r\\nHost: a\\r\\n\\r\\n                | 400",
        "HTTP/2 preface         | PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n                  | 505",
        "no Host in HTTP/1.1    | GET / HTTP/1.1\\r\\nAccept: */*\\r\\n\\r\\n             | 400",
        "two Host headers       | GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n     | 400",
        "scheme not a scheme    | GET a/b://h/x HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n         | 400",
        "non-ASCII method       | G\u00c9T / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n          | 400",
        "relative target        | GET foo HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n              | 400",
        "Host not target host   | GET http://a.org/x HTTP/1.1\\r\\nHost: b.org\\r\\n\\r\\n  | 400",
        "absolute-form          | GET http://a.org/x HTTP/1.1\\r\\nHost: A.org:80\\r\\n\\r\\n | 200",
        "CONNECT authority      | CONNECT a.org:443 HTTP/1.1\\r\\nHost: a.org\\r\\n\\r\\n | 200",
        "Host with a path       | GET / HTTP/1.1\\r\\nHost: x/foo\\r\\n\\r\\n                | 400",
        "Host with user info    | GET / HTTP/1.1\\r\\nHost: u@x\\r\\n\\r\\n                  | 400",
        "Host with a bad port   | GET / HTTP/1.1\\r\\nHost: x:8o\\r\\n\\r\\n                 | 400",
        "Host unclosed bracket  | GET / HTTP/1.1\\r\\nHost: [::1\\r\\n\\r\\n                 | 400",
        "Host IPv6 and port     | GET / HTTP/1.1\\r\\nHost: [::1]:8080\\r\\n\\r\\n           | 200",
        "Host percent-encoded   | GET / HTTP/1.1\\r\\nHost: a%41b.org\\r\\n\\r\\n           | 200",
        "target with user info  | GET http://x@y/ HTTP/1.1\\r\\nHost: y\\r\\n\\r\\n          | 400",
        "target with a bad host | GET http://a^b/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n        | 400",
        "CONNECT with user info | CONNECT u@a.org:443 HTTP/1.1\\r\\nHost: a.org\\r\\n\\r\\n | 400",
    })
    void malformedHeadsGetADefinedStatus(String name, String head, int status) throws Exception {
        String unescaped = head.strip().replace("\\r", "\r").replace("\\n", "\n");
        client.getOutputStream().write(ascii(unescaped));
        if (status == 200) {
            assertTrue(read(DEFAULTS).head().host().isPresent());
            return;
        }
        HeadException e = assertThrows(HeadException.class, () -> read(DEFAULTS));
        assertEquals(status, e.status(), e.getMessage());
    }

    /** Not a request line at all: answered when its line ends, not at the head deadline as an unfinished head. */
    @ParameterizedTest
    @ValueSource(strings = {"HELO example.org\r\n", "GET /\r\n", "GET / HTTP/1.1 x\r\n", "GET foo HTTP/1.1\r\n"})
    void aMalformedRequestLineIsAnswered400WithoutWaitingForTheRestOfTheHead(String line) throws Exception {
        HeadLimits limits = new HeadLimits(HeadLimits.Until.HEADERS, 1024, 100, Duration.ofSeconds(30));
        HeadException e = rejected(limits, line);
        assertEquals(400, e.status(), e.getMessage());
        assertEquals(line.length(), e.bytesRead());
    }

    @Test
    void aRefusedHeadSaysHowManyBytesWereRead() throws Exception {
        HeadLimits limits = new HeadLimits(HeadLimits.Until.HEADERS, 256, 100, Duration.ofSeconds(5));
        HeadException e = rejected(limits, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "x".repeat(400) + "\r\n\r\n");
        assertEquals(431, e.status());
        assertEquals(256, e.bytesRead());
    }

    @Test
    void tooManyHeaderFieldsAreAnswered431() throws Exception {
        HeadLimits limits = new HeadLimits(HeadLimits.Until.HEADERS, 4096, 100, Duration.ofSeconds(5), 3);
        HeadException e = rejected(limits, "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
        assertEquals(431, e.status());
    }

    /** A control byte in a value, a NUL, and non-ASCII in the target: bytes no valid head carries there. */
    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\nHost: a\r\nX: a\u0001b\r\n\r\n",
        "GET /\u0000 HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n",
    })
    void forbiddenBytesAreAnswered400(String head) throws Exception {
        assertEquals(400, rejected(DEFAULTS, head).status());
    }

    @Test
    void aTlsHandshakeIsClosedWithoutAnAnswer() throws Exception {
        client.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00});
        HeadException e = assertThrows(HeadException.class, () -> read(DEFAULTS));
        assertEquals(0, e.status());
        assertTrue(e.getMessage().contains("TLS"), e.getMessage());
    }

    @Test
    void anSshGreetingIsClosedWithoutAnAnswer() throws Exception {
        HeadException e = rejected(DEFAULTS, "SSH-2.0-OpenSSH_9.2p1\r\n");
        assertEquals(0, e.status());
    }
}
