package org.streamprox.proxy.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.testkit.LoopbackConnection;

/** The plain transport over a real loopback connection: the contract the engine's stages rely on. */
class PlainTransportTest {

    @RegisterExtension
    final LoopbackConnection connection = new LoopbackConnection();
    private Socket peer;
    private PlainTransport transport;

    @BeforeEach
    void connect() {
        peer = connection.peer();
        transport = connection.transport();
    }

    private String readAll(int length) throws IOException {
        ByteBuffer into = ByteBuffer.allocate(length);
        while (into.hasRemaining()) {
            transport.read(into);
        }
        return new String(into.array(), StandardCharsets.ISO_8859_1);
    }

    /** The listener lets a connection waiting for its head go this way, from its own thread, and then answers. */
    @Test
    void shuttingDownInputEndsAWaitingTimedReadAndLeavesWritingOpen() throws Exception {
        CompletableFuture<Integer> read = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                read.complete(transport.read(ByteBuffer.allocate(16), 60_000));
            } catch (IOException e) {
                read.completeExceptionally(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> reader.getState() == Thread.State.WAITING
                || reader.getState() == Thread.State.TIMED_WAITING);

        transport.shutdownInput();

        assertEquals(-1, read.get(5, TimeUnit.SECONDS));
        transport.write(ByteBuffer.wrap(ascii("still writing")));
        assertEquals("still writing", new String(peer.getInputStream().readNBytes(13), StandardCharsets.ISO_8859_1));
    }

    @Test
    void unreadBytesAreThoseNoReadHasTakenYet() throws Exception {
        assertFalse(transport.hasUnreadBytes());
        peer.getOutputStream().write(ascii("ab"));
        await().atMost(Duration.ofSeconds(5)).until(transport::hasUnreadBytes);
        readAll(2);
        assertFalse(transport.hasUnreadBytes());
        transport.replay(ByteBuffer.wrap(ascii("b")));
        assertTrue(transport.hasUnreadBytes());
        transport.close();
        assertFalse(transport.hasUnreadBytes());
    }

    @Test
    void replayedBytesComeFirstTheLastReplayedInFront() throws Exception {
        peer.getOutputStream().write(ascii("socket"));
        transport.replay(ByteBuffer.wrap(ascii("second ")));
        transport.replay(ByteBuffer.wrap(ascii("first ")));

        assertEquals("first second socket", readAll("first second socket".length()));
    }

    @Test
    void aTimedReadServesReplayedBytesWithoutWaiting() throws Exception {
        transport.replay(ByteBuffer.wrap(ascii("ready")));
        ByteBuffer into = ByteBuffer.allocate(16);

        assertEquals(5, transport.read(into, 1));
        assertThrows(SocketTimeoutException.class, () -> transport.read(into, 50));
    }

    @Test
    void writesAllAndHalfClosesWhileTheOtherWayStillFlows() throws Exception {
        byte[] big = new byte[1 << 20];
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                transport.write(ByteBuffer.wrap(big));
                transport.shutdownOutput();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(big.length, peer.getInputStream().readAllBytes().length);
        writer.join();
        peer.getOutputStream().write(ascii("still open"));
        assertEquals("still open", readAll(10));
    }

    @Test
    void aResetIsSeenAsOneNotAsAnEndOfStream() {
        transport.reset();
        assertThrows(SocketException.class, () -> peer.getInputStream().read());
    }

    @Test
    void itKnowsBothEnds() {
        assertEquals(peer.getLocalSocketAddress(), transport.peerAddress());
        assertEquals(peer.getRemoteSocketAddress(), transport.localAddress());
    }
}
