package org.streamprox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.streamprox.testkit.Command.onPath;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.transport.PlainTransport;
import org.streamprox.testkit.CapturingListener;

/**
 * Hellos from real clients (OpenSSL, curl, the JDK), generated live and captured on a loopback listener: what the
 * reader finds in them. OpenSSL and curl are skipped where they are not installed.
 */
class ClientHelloFromRealClientsTest {

    private static final int LIMIT = 16 * 1024;
    private static final int WAIT_SECONDS = 10;

    @RegisterExtension
    final CapturingListener listener = new CapturingListener();


    /** Accepts the client's connection, reads its hello and hangs up. */
    private ClientHelloReader.Result acceptHello(int limit) throws Exception {
        try (Socket server = listener.accept()) {
            return new ClientHelloReader(limit).read(new PlainTransport(server.getChannel()),
                    System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS));
        }
    }

    /** Runs the command, which connects to the listener, and reads the hello it sends. */
    private ClientHelloReader.Result helloFrom(String... command) throws Exception {
        assumeTrue(onPath(command[0]), command[0] + " is not installed");
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        // openssl s_client reads what to send from its input: it gets nothing.
        process.getOutputStream().close();
        try {
            return acceptHello(LIMIT);
        } finally {
            if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** How many records the hello came in, read from the record headers of the bytes kept. */
    private static int records(ClientHelloReader.Result result) {
        ByteBuffer bytes = result.buffered().duplicate();
        int records = 0;
        while (bytes.remaining() >= 5 && bytes.get(bytes.position()) == 22) {
            bytes.position(bytes.position() + 5 + (bytes.getShort(bytes.position() + 3) & 0xffff));
            records++;
        }
        return records;
    }

    @Test
    void opensslSendsItsServerNameAndProtocols() throws Exception {
        ClientHelloReader.Result result = helloFrom("openssl", "s_client", "-connect", "127.0.0.1:" + listener.port(),
                "-servername", "OpenSSL.Example", "-alpn", "h2,http/1.1");

        assertEquals(new ClientHello(Optional.of("openssl.example"), List.of("h2", "http/1.1"), false),
                result.hello());
        assertEquals(1, records(result));
    }

    /**
     * A hello larger than a packet, as post-quantum key shares make browsers' hellos, cut into records of 512 bytes.
     * OpenSSL 3.5 and later offer X25519MLKEM768 (a 1,216-byte key share); older ones an 8192-bit FFDHE share.
     */
    @Test
    void opensslSendsALargeHelloInSeveralRecords() throws Exception {
        assumeTrue(onPath("openssl"), "openssl is not installed");
        String group = kemAlgorithms().contains("MLKEM768") ? "X25519MLKEM768" : "ffdhe8192";
        ClientHelloReader.Result result = helloFrom("openssl", "s_client", "-connect", "127.0.0.1:" + listener.port(),
                "-servername", "big.example", "-alpn", "h2", "-groups", group, "-max_send_frag", "512");

        assertEquals(new ClientHello(Optional.of("big.example"), List.of("h2"), false), result.hello());
        assertTrue(result.bytesRead() > 1200, result.bytesRead() + " bytes");
        assertTrue(records(result) >= 3, records(result) + " records");
    }

    private static String kemAlgorithms() throws IOException, InterruptedException {
        Process list = new ProcessBuilder("openssl", "list", "-kem-algorithms").redirectErrorStream(true).start();
        String output = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        list.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
        return output.replace("-", "");
    }

    @Test
    void curlSendsItsServerNameAndProtocols() throws Exception {
        ClientHelloReader.Result result = helloFrom("curl", "--noproxy", "*", "--silent", "--insecure",
                "--max-time", String.valueOf(WAIT_SECONDS), "--resolve", "curl.example:" + listener.port() + ":127.0.0.1",
                "https://curl.example:" + listener.port() + "/");

        assertEquals(new ClientHello(Optional.of("curl.example"), List.of("h2", "http/1.1"), false),
                result.hello());
    }

    /** Starts the JDK's TLS client against the listener; the future holds how its handshake ended. */
    private CompletableFuture<Exception> jdkClient(String serverName, int maxPacketSize, String... protocols) {
        CompletableFuture<Exception> ended = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (SSLSocket socket = (SSLSocket) SSLContext.getDefault().getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), listener.port())) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(serverName)));
                parameters.setApplicationProtocols(protocols);
                parameters.setMaximumPacketSize(maxPacketSize);
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                ended.complete(null);
            } catch (Exception e) {
                ended.complete(e);
            }
        });
        return ended;
    }

    @Test
    void theJdkSendsItsServerNameAndProtocols() throws Exception {
        CompletableFuture<Exception> client = jdkClient("jdk.example", 0, "h2", "http/1.1");

        ClientHelloReader.Result result = acceptHello(LIMIT);

        assertEquals(new ClientHello(Optional.of("jdk.example"), List.of("h2", "http/1.1"), false), result.hello());
        assertInstanceOf(SSLHandshakeException.class, client.get(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void theJdkCutsItsHelloIntoRecordsOfASmallPacketSize() throws Exception {
        CompletableFuture<Exception> client = jdkClient("packets.example", 256, "h2", "http/1.1");

        ClientHelloReader.Result result = acceptHello(LIMIT);

        assertEquals(new ClientHello(Optional.of("packets.example"), List.of("h2", "http/1.1"), false),
                result.hello());
        assertTrue(records(result) >= 2, records(result) + " records");
        assertInstanceOf(SSLHandshakeException.class, client.get(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    /** The alert bytes as a client reads them: a JDK client whose hello is over the limit names the alert. */
    @Test
    void aRefusedClientReceivesTheAlert() throws Exception {
        List<String> protocols = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            protocols.add(i + "x".repeat(150));
        }
        CompletableFuture<Exception> client = jdkClient("refused.example", 0, protocols.toArray(String[]::new));

        try (Socket server = listener.accept()) {
            PlainTransport transport = new PlainTransport(server.getChannel());
            TlsRefusal refusal = assertThrows(TlsRefusal.class, () -> new ClientHelloReader(1024).read(transport,
                    System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS)));
            assertEquals(TlsAlert.HANDSHAKE_FAILURE, refusal.alert(), refusal.getMessage());
            transport.write(TlsAlert.fatal(refusal.alert()));
            transport.shutdownOutput();
            // Take the rest of the hello so the close is not a reset that could overtake the alert.
            ByteBuffer sink = ByteBuffer.allocate(4096);
            while (transport.read(sink.clear(), TimeUnit.SECONDS.toMillis(WAIT_SECONDS)) >= 0) {
                // Discarded until the client, having read the alert, closes.
            }
        }

        Exception ended = client.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertInstanceOf(SSLHandshakeException.class, ended);
        assertTrue(ended.getMessage().contains("handshake_failure"), ended.getMessage());
    }
}
