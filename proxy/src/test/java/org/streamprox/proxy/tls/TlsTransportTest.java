package org.streamprox.proxy.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.http.HeadReader;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.proxy.transport.PlainTransport;
import org.streamprox.proxy.transport.Transport;
import org.streamprox.testkit.TestCertificates;
import org.streamprox.testkit.Tool;
import org.streamprox.testkit.TrickleTransport;

/**
 * The TLS transport against real peers on loopback: openssl's s_client and s_server, curl, the JDK's own TLS
 * sockets, and itself.
 */
@Timeout(120)
class TlsTransportTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int BULK_BYTES = 64 << 20;

    @TempDir
    static Path directory;
    private static TestCertificates.Pem certificate;
    /** Contexts presenting the certificate, and trusting it and nothing else. */
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private ServerSocketChannel listener;

    @BeforeAll
    static void makeCertificate() throws Exception {
        certificate = TestCertificates.selfSigned(directory, "localhost");
        serverContext = certificate.serverContext();
        clientContext = certificate.clientContext();
    }

    @BeforeEach
    void listen() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void stop() throws IOException {
        listener.close();
        background.shutdownNow();
    }

    // Server mode: terminating a client's TLS.

    @Test
    void opensslsClientHasItsLinesEchoedAndEndsWithCloseNotify() throws Exception {
        try (Tool client = Tool.start(directory, "openssl", "s_client", "-brief", "-connect", "127.0.0.1:" + port(),
                "-servername", "localhost", "-CAfile", certificate.certificate().toString(), "-verify_return_error")) {
            TlsTransport tls = TlsTransport.over(accept(), serverEngine());
            Negotiated negotiated = tls.handshake(deadlineIn(WAIT));
            Future<Long> echoed = inBackground(() -> echo(tls));

            client.type("hello over TLS\n");
            client.awaitOutput("hello over TLS");
            client.endInput();

            assertEquals(0, client.exitCode(), client.output());
            assertEquals("hello over TLS\n".length(), echoed.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals("TLSv1.3", negotiated.protocol());
            assertEquals(Optional.of("localhost"), negotiated.serverName());
            assertEquals(Optional.empty(), negotiated.applicationProtocol());
            assertEquals(Optional.empty(), negotiated.peerCertificate());
            tls.close();
        }
    }

    /** The head reader's timed reads into heap buffers, over TLS, with ALPN and SNI as curl sends them. */
    @Test
    void curlGetsAnAnswerToTheHeadReadOverTls() throws Exception {
        Future<Negotiated> served = inBackground(() -> {
            TlsTransport tls = TlsTransport.over(accept(), serverEngine());
            Negotiated negotiated = tls.handshake(deadlineIn(WAIT));
            RequestHead head = new HeadReader(HeadLimits.defaults()).read(tls).head();
            byte[] body = ascii("hello over TLS: " + head.method() + " " + head.target());
            tls.write(ByteBuffer.wrap(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n")));
            tls.write(ByteBuffer.wrap(body));
            tls.close();
            return negotiated;
        });

        String answer = Tool.run(directory, "curl", "-sS", "--max-time", "20", "--cacert",
                certificate.certificate().toString(), "--resolve", "localhost:" + port() + ":127.0.0.1",
                "https://localhost:" + port() + "/hello");

        assertEquals("hello over TLS: GET /hello", answer);
        Negotiated negotiated = served.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(Optional.of("http/1.1"), negotiated.applicationProtocol());
        assertEquals(Optional.of("localhost"), negotiated.serverName());
    }

    /** What a ClientHello parser leaves behind: the hello's start replayed, then every byte in a read of its own. */
    @Test
    void aHelloReplayedAndThenReadOneByteAtATimeStillMakesAHandshake() throws Exception {
        Future<String> client = inBackground(() -> {
            try (SSLSocket socket = sslSocket()) {
                socket.getOutputStream().write(ascii("trickled\n"));
                return new String(socket.getInputStream().readNBytes(9), StandardCharsets.ISO_8859_1);
            }
        });
        PlainTransport network = accept();
        ByteBuffer helloStart = ByteBuffer.allocate(100);
        while (helloStart.hasRemaining()) {
            network.read(helloStart, WAIT.toMillis());
        }
        network.replay(helloStart.flip());
        TrickleTransport trickle = new TrickleTransport(network);
        TlsTransport tls = TlsTransport.over(trickle, serverEngine());

        tls.handshake(deadlineIn(WAIT));
        assertTrue(trickle.reads() > helloStart.capacity(), "the hello's rest came from the socket, byte by byte");
        assertEquals("trickled\n", readLine(tls));
        tls.write(ByteBuffer.wrap(ascii("trickled\n")));
        // With close_notify: the JDK's client socket waits for one when it closes.
        tls.close();

        assertEquals("trickled\n", client.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void aHandshakeThatStallsFailsByItsDeadline() throws Exception {
        // A handshake record that promises 512 bytes and brings 6.
        byte[] partialHello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port())) {
            TlsTransport tls = TlsTransport.over(accept(), serverEngine());
            client.getOutputStream().write(partialHello);
            long start = System.nanoTime();

            SocketTimeoutException stalled = assertThrows(SocketTimeoutException.class,
                    () -> tls.handshake(start + TimeUnit.MILLISECONDS.toNanos(300)));

            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMillis >= 290 && tookMillis < 2_000, tookMillis + " ms");
            assertTrue(stalled.getMessage().contains("not complete by its deadline"), stalled.getMessage());
            tls.close();
        }
    }

    @Test
    void aClientOfferingOnlyTls11IsToldSoByAnAlert() throws Exception {
        try (Tool client = Tool.start(directory, "openssl", "s_client", "-connect", "127.0.0.1:" + port(),
                "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")) {
            TlsTransport tls = TlsTransport.over(accept(), serverEngine());

            SSLHandshakeException failed = assertThrows(SSLHandshakeException.class,
                    () -> tls.handshake(deadlineIn(WAIT)));

            assertTrue(failed.getMessage().contains("TLSv1.1"), failed.getMessage());
            client.awaitOutput("alert protocol version");
            tls.close();
        }
    }

    /** The client's TCP connection stays open after its close_notify: the alert alone ends the stream. */
    @Test
    void thePeersCloseNotifyReadsAsTheEndAndTheAnswerStillGoesOut() throws Exception {
        Socket tcp = new Socket(InetAddress.getLoopbackAddress(), port());
        Future<String> client = inBackground(() -> {
            try (tcp; SSLSocket socket = sslSocketOver(tcp, false)) {
                socket.getOutputStream().write(ascii("question"));
                socket.shutdownOutput();
                return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            }
        });
        TlsTransport tls = TlsTransport.over(accept(), serverEngine());
        tls.handshake(deadlineIn(WAIT));

        assertEquals("question", readToEnd(tls));
        tls.write(ByteBuffer.wrap(ascii("answer")));
        tls.shutdownOutput();

        assertEquals("answer", client.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        tls.close();
    }

    @Test
    void shuttingDownOutputLetsThePeerReadTheEndWhileItGoesOnSending() throws Exception {
        Future<String> client = inBackground(() -> {
            try (SSLSocket socket = sslSocket()) {
                String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                socket.getOutputStream().write(ascii("still sending"));
                socket.shutdownOutput();
                return answer;
            }
        });
        TlsTransport tls = TlsTransport.over(accept(), serverEngine());
        tls.handshake(deadlineIn(WAIT));

        tls.write(ByteBuffer.wrap(ascii("early answer")));
        tls.shutdownOutput();

        assertEquals("early answer", client.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals("still sending", readToEnd(tls));
        tls.close();
    }

    /**
     * openssl's s_client asks for a KeyUpdate with its command K and shows the one it gets back (-msg). The server
     * writes nothing after it until the client has seen that answer: the read that met the request must send it.
     */
    @Test
    void aKeyUpdateIsAnsweredByTheReaderAndDataGoesOnFlowing() throws Exception {
        try (Tool client = Tool.start(directory, "openssl", "s_client", "-msg", "-connect", "127.0.0.1:" + port(),
                "-servername", "localhost", "-CAfile", certificate.certificate().toString())) {
            TlsTransport tls = TlsTransport.over(accept(), serverEngine());
            tls.handshake(deadlineIn(WAIT));
            client.type("1 before\n");
            assertEquals("1 before\n", readLine(tls));
            tls.write(ByteBuffer.wrap(ascii("1 echoed\n")));
            client.awaitOutput("1 echoed");

            // A line of its own: s_client takes a whole read of its input as one command.
            client.type("K\n");
            client.awaitOutput("KEYUPDATE");
            client.type("2 after\n");
            assertEquals("2 after\n", readLine(tls));
            client.awaitOutput("<<< TLS 1.3, Handshake [length 0005], KeyUpdate");
            tls.write(ByteBuffer.wrap(ascii("2 echoed\n")));

            client.awaitOutput("2 echoed");
            tls.close();
        }
    }

    /** A reader that has taken part of the data hands the rest over exactly: decrypted, then still encrypted. */
    @Test
    void theHandOffStateHoldsExactlyWhatWasNotReadYet() throws Exception {
        byte[] sent = new byte[40_000];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i % 251);
        }
        SSLSocket client = sslSocket();
        Future<?> written = inBackground(() -> {
            client.getOutputStream().write(sent);
            return null;
        });
        PlainTransport network = accept();
        TlsTransport tls = TlsTransport.over(network, serverEngine());
        tls.handshake(deadlineIn(WAIT));
        written.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        byte[] first = readExactly(tls, 1000);

        TlsTransport.HandOffState state = tls.handOff();

        assertTrue(state.decryptedUnread().hasRemaining(), "part of a record was read");
        assertTrue(state.encryptedUnread().hasRemaining(), "a later record was read ahead");
        TlsTransport resumed = TlsTransport.over(network, state.engine());
        network.replay(state.encryptedUnread());
        resumed.replay(state.decryptedUnread());
        byte[] rest = readExactly(resumed, sent.length - first.length);
        assertArrayEquals(sent, concat(first, rest));
        client.close();
        assertEquals(-1, resumed.read(ByteBuffer.allocate(16)));
        resumed.close();
    }

    @Test
    void unreadBytesAreDecryptedOnesEncryptedOnesAndTheNetworksAndAShutInputEndsAWaitingRead() throws Exception {
        try (SSLSocket client = sslSocket()) {
            Future<?> shaken = inBackground(() -> {
                client.startHandshake();
                return null;
            });
            TlsTransport tls = TlsTransport.over(accept(), serverEngine());
            tls.handshake(deadlineIn(WAIT));
            shaken.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            client.getOutputStream().write(ascii("ab"));
            await().atMost(WAIT).until(tls::hasUnreadBytes);
            assertEquals("a", new String(readExactly(tls, 1), StandardCharsets.ISO_8859_1));
            assertTrue(tls.hasUnreadBytes(), "'b' is decrypted and waiting");
            readExactly(tls, 1);
            assertFalse(tls.hasUnreadBytes());
            assertThrows(SocketTimeoutException.class, () -> tls.read(ByteBuffer.allocate(16), 50));

            CompletableFuture<Integer> read = new CompletableFuture<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    read.complete(tls.read(ByteBuffer.allocate(16), WAIT.toMillis()));
                } catch (IOException e) {
                    read.completeExceptionally(e);
                }
            });
            await().atMost(WAIT).until(() -> reader.getState() == Thread.State.TIMED_WAITING);
            assertFalse(tls.hasUnreadBytes(), "a read waiting for a record has nothing unread");
            tls.shutdownInput();
            assertEquals(-1, read.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            tls.close();
        }
    }

    /** The head reader gives back what it read past the head: it comes before what was still waiting decrypted. */
    @Test
    void replayedBytesComeBeforeDecryptedOnesAndAShutInputEndsReadsThoughBytesWait() throws Exception {
        try (SSLSocket client = sslSocket()) {
            Future<?> written = inBackground(() -> {
                client.getOutputStream().write(ascii("abc"));
                return null;
            });
            TlsTransport tls = TlsTransport.over(accept(), serverEngine());
            tls.handshake(deadlineIn(WAIT));
            written.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals("a", new String(readExactly(tls, 1), StandardCharsets.ISO_8859_1));

            tls.replay(ByteBuffer.wrap(ascii("xa")));

            assertEquals("xab", new String(readExactly(tls, 3), StandardCharsets.ISO_8859_1));
            tls.shutdownInput();
            assertEquals(-1, tls.read(ByteBuffer.allocate(16)), "'c' is left unread");
            tls.close();
        }
    }

    /** A peer that reads nothing must not hold up closing: a writer stuck on it is cut off instead. */
    @Test
    void closingDoesNotWaitForAPeerThatDoesNotRead() throws Exception {
        try (SSLSocket client = sslSocket()) {
            Future<?> shaken = inBackground(() -> {
                client.startHandshake();
                return null;
            });
            TlsTransport tls = TlsTransport.over(accept(), serverEngine());
            tls.handshake(deadlineIn(WAIT));
            shaken.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            CompletableFuture<Void> written = new CompletableFuture<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        tls.write(ByteBuffer.allocate(1 << 16));
                    }
                } catch (IOException e) {
                    written.completeExceptionally(e);
                }
            });
            // Parked in a write: the socket's buffers are full.
            await().atMost(WAIT).until(() -> writer.getState() == Thread.State.WAITING);

            assertTimeoutPreemptively(Duration.ofSeconds(2), tls::close);

            assertThrows(ExecutionException.class, () -> written.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    // Client mode: speaking TLS to an upstream.

    @Test
    void opensslsServerAnswersThroughTheClientSide() throws Exception {
        try (Tool server = Tool.start(directory, "openssl", "s_server", "-accept", "127.0.0.1:0", "-www",
                "-cert", certificate.certificate().toString(), "-key", certificate.key().toString())) {
            TlsTransport tls = connect(clientEngine(clientContext), serverPort(server));
            Negotiated negotiated = tls.handshake(deadlineIn(WAIT));
            tls.write(ByteBuffer.wrap(ascii("GET / HTTP/1.0\r\n\r\n")));

            String page = readToEnd(tls);

            assertTrue(page.startsWith("HTTP/1.0 200 ok"), page);
            assertTrue(page.contains(negotiated.cipherSuite()), page);
            assertEquals("CN=localhost",
                    negotiated.peerCertificate().orElseThrow().getSubjectX500Principal().getName());
            tls.close();
        }
    }

    @Test
    void anUntrustedServerIsToldByAnAlertAndTheFailureSaysWhy() throws Exception {
        try (Tool server = Tool.start(directory, "openssl", "s_server", "-accept", "127.0.0.1:0", "-www",
                "-cert", certificate.certificate().toString(), "-key", certificate.key().toString())) {
            TlsTransport tls = connect(clientEngine(SSLContext.getDefault()), serverPort(server));

            SSLHandshakeException failed = assertThrows(SSLHandshakeException.class,
                    () -> tls.handshake(deadlineIn(WAIT)));

            assertTrue(failed.getMessage().contains("unable to find valid certification path"), failed.getMessage());
            server.awaitOutput("alert certificate unknown");
            tls.close();
        }
    }

    // Both at once: the tunnel's pattern, one thread reading while another writes, on each side.

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void sixtyFourMebibytesGoEachWayAtOnceIntact(String protocol) throws Exception {
        Future<TlsTransport> accepted = inBackground(() -> {
            TlsTransport server = TlsTransport.over(accept(), serverEngine());
            server.handshake(deadlineIn(WAIT));
            return server;
        });
        TlsTransport client = connect(clientEngine(clientContext, protocol), port());
        assertEquals(protocol, client.handshake(deadlineIn(WAIT)).protocol());
        TlsTransport server = accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        Future<Long> up = inBackground(() -> sendBulk(client, 1));
        Future<Long> down = inBackground(() -> sendBulk(server, 2));
        Future<Long> upReceived = inBackground(() -> receiveBulk(server));
        Future<Long> downReceived = inBackground(() -> receiveBulk(client));

        assertEquals(up.get(100, TimeUnit.SECONDS), upReceived.get(100, TimeUnit.SECONDS));
        assertEquals(down.get(100, TimeUnit.SECONDS), downReceived.get(100, TimeUnit.SECONDS));
        client.close();
        server.close();
    }

    /** Writes {@link #BULK_BYTES} in writes of assorted sizes, some from direct buffers; returns their CRC. */
    private static long sendBulk(Transport to, long seed) throws IOException {
        Random random = new Random(seed);
        CRC32 crc = new CRC32();
        byte[] chunk = new byte[1 << 17];
        ByteBuffer heap = ByteBuffer.allocate(chunk.length);
        ByteBuffer direct = ByteBuffer.allocateDirect(chunk.length);
        for (int left = BULK_BYTES; left > 0; ) {
            int size = Math.min(left, 1 + random.nextInt(chunk.length));
            random.nextBytes(chunk);
            ByteBuffer buffer = (size > 8192 ? direct : heap).clear().put(chunk, 0, size).flip();
            crc.update(buffer.duplicate());
            to.write(buffer);
            left -= size;
        }
        return crc.getValue();
    }

    /** Reads {@link #BULK_BYTES} as a copy loop does, into a small heap buffer and a direct one by turns. */
    private static long receiveBulk(Transport from) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer small = ByteBuffer.allocate(1024);
        ByteBuffer large = ByteBuffer.allocateDirect(1 << 16);
        long received = 0;
        for (int reads = 0; received < BULK_BYTES; reads++) {
            ByteBuffer buffer = (reads % 2 == 0 ? small : large).clear();
            buffer.limit((int) Math.min(buffer.capacity(), BULK_BYTES - received));
            int read = from.read(buffer);
            assertTrue(read > 0, "ended after " + received + " bytes");
            crc.update(buffer.flip());
            received += read;
        }
        return crc.getValue();
    }

    private int port() {
        return listener.socket().getLocalPort();
    }

    private PlainTransport accept() throws IOException {
        return new PlainTransport(listener.accept());
    }

    private static TlsTransport connect(SSLEngine engine, int port) throws IOException {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return TlsTransport.over(new PlainTransport(channel), engine);
    }

    private static SSLEngine serverEngine() {
        SSLEngine engine = serverContext.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        engine.setSSLParameters(parameters);
        return engine;
    }

    private static SSLEngine clientEngine(SSLContext context, String... protocols) {
        SSLEngine engine = context.createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setServerNames(List.of(new SNIHostName("localhost")));
        if (protocols.length > 0) {
            parameters.setProtocols(protocols);
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    /** A JDK client socket that trusts the test certificate and checks the name localhost. */
    private SSLSocket sslSocket() throws IOException {
        return sslSocketOver(new Socket(InetAddress.getLoopbackAddress(), port()), true);
    }

    /** @param closesTcp whether closing it, or shutting its output, does the same to the TCP connection */
    private SSLSocket sslSocketOver(Socket tcp, boolean closesTcp) throws IOException {
        SSLSocket socket = (SSLSocket) clientContext.getSocketFactory()
                .createSocket(tcp, "localhost", port(), closesTcp);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    private static int serverPort(Tool server) {
        Pattern accepting = Pattern.compile("ACCEPT 127\\.0\\.0\\.1:(\\d+)\\R");
        Matcher found = await().atMost(WAIT).until(() -> accepting.matcher(server.output()), Matcher::find);
        return Integer.parseInt(found.group(1));
    }

    private <T> Future<T> inBackground(Callable<T> task) {
        return background.submit(task);
    }

    private static long deadlineIn(Duration duration) {
        return System.nanoTime() + duration.toNanos();
    }

    private static long echo(Transport transport) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        long echoed = 0;
        for (int read = transport.read(buffer.clear()); read >= 0; read = transport.read(buffer.clear())) {
            transport.write(buffer.flip());
            echoed += read;
        }
        return echoed;
    }

    // The helpers read with timeouts: a transport that loses bytes fails a test in seconds, not at the class timeout.

    /** Reads a byte at a time, so most of each record waits decrypted for the next read. */
    private static String readLine(Transport from) throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (line.isEmpty() || line.charAt(line.length() - 1) != '\n') {
            if (from.read(one.clear(), WAIT.toMillis()) < 0) {
                throw new IOException("ended after " + line);
            }
            line.append((char) one.get(0));
        }
        return line.toString();
    }

    private static byte[] readExactly(Transport from, int length) throws IOException {
        ByteBuffer into = ByteBuffer.allocate(length);
        while (into.hasRemaining()) {
            if (from.read(into, WAIT.toMillis()) < 0) {
                throw new IOException("ended after " + into.position() + " of " + length + " bytes");
            }
        }
        return into.array();
    }

    private static String readToEnd(Transport from) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(512);
        while (from.read(buffer.clear(), WAIT.toMillis()) >= 0) {
            all.write(buffer.array(), 0, buffer.position());
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
