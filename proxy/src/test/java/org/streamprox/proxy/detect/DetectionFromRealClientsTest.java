package org.streamprox.proxy.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.streamprox.testkit.Command.onPath;
import static org.streamprox.testkit.Http.ascii;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.http.HeadReader;
import org.streamprox.proxy.tls.ClientHelloReader;
import org.streamprox.proxy.transport.PlainTransport;
import org.streamprox.proxy.transport.Transport;
import org.streamprox.testkit.CapturingListener;

/**
 * The first bytes of real clients (OpenSSH, curl over HTTP/1.1 and with HTTP/2 prior knowledge, OpenSSL), sent live
 * to a loopback listener: what the detector makes of them, and that the stage after it reads them whole. Clients
 * that are not installed are skipped.
 */
class DetectionFromRealClientsTest {

    private static final int WAIT_SECONDS = 10;
    private static final Detector DETECTOR = new Detector(List.of(builtIn("tls"), builtIn("ssh"), builtIn("h2c"),
            builtIn("http")), 2048);

    @RegisterExtension
    final CapturingListener listener = new CapturingListener();

    private static NamedProbe builtIn(String name) {
        return NamedProbe.builtIn(name).orElseThrow();
    }


    /** What reads the connection after the detector, and checks what it read. */
    @FunctionalInterface
    private interface NextStage {
        void read(Transport client, long deadline) throws Exception;
    }

    /**
     * Runs the command, which connects to the listener; detects the protocol of its connection, lets the next stage
     * read it, and hangs up.
     */
    private Protocol detected(NextStage next, String... command) throws Exception {
        assumeTrue(onPath(command[0]), command[0] + " is not installed");
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        // openssl s_client reads what to send from its input: it gets nothing.
        process.getOutputStream().close();
        try (Socket server = listener.accept()) {
            PlainTransport client = new PlainTransport(server.getChannel());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            Detection detection = DETECTOR.detect(client, deadline, deadline);
            next.read(client, deadline);
            return assertInstanceOf(Detection.Matched.class, detection).protocol();
        } finally {
            if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static byte[] read(Transport client, int length, long deadline) throws IOException {
        ByteBuffer into = ByteBuffer.allocate(length);
        while (into.hasRemaining() && client.readBefore(into, deadline) >= 0) {
            // Until all are in.
        }
        return into.array();
    }

    /** The client speaks first: its identification string, before it has seen the server's. */
    @Test
    void openSshIsSsh() throws Exception {
        Protocol protocol = detected((client, deadline) -> assertArrayEquals(ascii("SSH-2.0-OpenSSH"),
                read(client, 15, deadline)), "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=" + WAIT_SECONDS, "-p", String.valueOf(listener.port()),
                "detect@127.0.0.1", "true");

        assertEquals(Protocol.SSH, protocol);
    }

    @Test
    void curlIsHttp() throws Exception {
        Protocol protocol = detected((client, deadline) -> {
            HeadReader.Result read = new HeadReader(HeadLimits.defaults()).read(client, deadline);
            assertEquals("/detect?q=1", read.head().target());
        }, "curl", "--noproxy", "*", "--silent", "--max-time", String.valueOf(WAIT_SECONDS),
                "http://127.0.0.1:" + listener.port() + "/detect?q=1");

        assertEquals(Protocol.HTTP, protocol);
    }

    @Test
    void curlWithHttp2PriorKnowledgeIsH2c() throws Exception {
        Protocol protocol = detected((client, deadline) -> assertArrayEquals(
                ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), read(client, 24, deadline)),
                "curl", "--noproxy", "*", "--silent", "--max-time", String.valueOf(WAIT_SECONDS),
                "--http2-prior-knowledge", "http://127.0.0.1:" + listener.port() + "/");

        assertEquals(Protocol.H2C, protocol);
    }

    @Test
    void opensslIsTls() throws Exception {
        Protocol protocol = detected((client, deadline) -> {
            ClientHelloReader.Result read = new ClientHelloReader(16 * 1024).read(client, deadline);
            assertEquals(Optional.of("detect.example"), read.hello().serverName());
        }, "openssl", "s_client", "-connect", "127.0.0.1:" + listener.port(), "-servername", "detect.example");

        assertEquals(Protocol.TLS, protocol);
    }
}
