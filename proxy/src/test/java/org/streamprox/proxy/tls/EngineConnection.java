package org.streamprox.proxy.tls;

import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * One TLS connection over a blocking socket, driven through an {@link SSLEngine} as a transport drives it: for a
 * test server's side of a connection or a test client's.
 */
final class EngineConnection {

    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    private final Socket socket;
    /** Bytes read from the peer and not yet unwrapped; left ready to be filled. */
    private final ByteBuffer fromPeer;
    private final ByteBuffer toPeer;
    private final ByteBuffer received;

    EngineConnection(SSLEngine engine, Socket socket) {
        this.engine = engine;
        this.socket = socket;
        fromPeer = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        toPeer = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        received = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    }

    SSLEngine engine() {
        return engine;
    }

    /** Runs the handshake; when it fails, sends the peer the alert the engine made, and throws. */
    void handshake() throws IOException {
        engine.beginHandshake();
        try {
            HandshakeStatus status = engine.getHandshakeStatus();
            while (status != HandshakeStatus.FINISHED && status != HandshakeStatus.NOT_HANDSHAKING) {
                status = switch (status) {
                    case NEED_WRAP -> wrap(NOTHING).getHandshakeStatus();
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrapRequired().getHandshakeStatus();
                    case NEED_TASK -> runTasks();
                    default -> throw new IllegalStateException("handshake status " + status);
                };
            }
        } catch (SSLException e) {
            sendAlert();
            throw e;
        }
    }

    /** Reads application data until what arrived ends with {@code end}, or the peer closes; returns it. */
    String read(String end) throws IOException {
        StringBuilder text = new StringBuilder();
        while (!text.toString().endsWith(end)) {
            SSLEngineResult result = unwrap();
            if (result == null || result.getStatus() == SSLEngineResult.Status.CLOSED) {
                break;
            }
            if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runTasks(); // a TLS 1.3 session ticket
            }
            received.flip();
            text.append(StandardCharsets.ISO_8859_1.decode(received));
            received.clear();
        }
        return text.toString();
    }

    void write(String text) throws IOException {
        ByteBuffer data = StandardCharsets.ISO_8859_1.encode(text);
        while (data.hasRemaining()) {
            wrap(data);
        }
    }

    /** Sends close_notify and closes the socket. */
    void close() throws IOException {
        engine.closeOutbound();
        try {
            while (!engine.isOutboundDone()) {
                wrap(NOTHING);
            }
        } finally {
            socket.close();
        }
    }

    private void sendAlert() {
        try {
            while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                wrap(NOTHING);
            }
        } catch (IOException e) {
            // The peer may have gone already; the handshake's own failure is what the caller needs.
        }
    }

    private SSLEngineResult wrap(ByteBuffer data) throws IOException {
        toPeer.clear();
        SSLEngineResult result = engine.wrap(data, toPeer);
        socket.getOutputStream().write(toPeer.array(), 0, toPeer.position());
        return result;
    }

    private SSLEngineResult unwrapRequired() throws IOException {
        SSLEngineResult result = unwrap();
        if (result == null) {
            throw new EOFException("the peer closed the connection during the handshake");
        }
        return result;
    }

    /** Unwraps one record, reading from the socket as needed; null when the peer closed the connection first. */
    private SSLEngineResult unwrap() throws IOException {
        while (true) {
            fromPeer.flip();
            SSLEngineResult result;
            try {
                result = engine.unwrap(fromPeer, received);
            } finally {
                fromPeer.compact();
            }
            switch (result.getStatus()) {
                case BUFFER_UNDERFLOW -> {
                    int read = socket.getInputStream().read(fromPeer.array(), fromPeer.position(),
                            fromPeer.remaining());
                    if (read < 0) {
                        return null;
                    }
                    fromPeer.position(fromPeer.position() + read);
                }
                case BUFFER_OVERFLOW -> throw new IllegalStateException("application data was not taken");
                default -> {
                    return result;
                }
            }
        }
    }

    private HandshakeStatus runTasks() {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
        return engine.getHandshakeStatus();
    }
}
