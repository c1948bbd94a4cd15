package org.streamprox.proxy.tls;

import static javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_TASK;
import static javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_UNWRAP;
import static javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_WRAP;
import static javax.net.ssl.SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.streamprox.proxy.transport.Transport;

/**
 * TLS over another transport, normally a {@link org.streamprox.proxy.transport.PlainTransport}: the client's TLS
 * terminated (an engine in server mode) or an upstream's spoken (client mode), blocking on the caller's thread. The
 * engine comes configured; {@link #handshake} runs it, reading through the network transport, so bytes a stage
 * peeked at and replayed there (a ClientHello) are the first the engine sees.
 *
 * <p>One thread may read while another writes, as a tunnel's two copy loops do. Each side has its own buffers;
 * records go out under one lock, which a reader never waits for (see {@link #sendQueued}).
 *
 * <p>Memory: thousands of idle connections are expected, so each buffer is let go as soon as it is empty. A read
 * waits with a 1 KiB buffer and grows it to a full packet only for a record that needs it; decrypted bytes are
 * buffered only when a record does not fit the caller's buffer; a write takes a packet buffer for its own
 * duration. Measured on JDK 25 with TLS 1.3 and P-256, 1000 idle connections each waiting in a read: about 5.7 KB
 * of heap per side over a plain connection's, the engine's state included; buffers held from the start would add
 * some 50 KB (two packets and an application buffer). A 16 KiB allocation costs far less than the encryption of
 * the record it carries.
 */
public final class TlsTransport implements Transport {

    /** What a read waits with; a request head or a ClientHello usually fits, a larger record grows it. */
    private static final int WAITING_BUFFER_SIZE = 1024;

    /** How long {@link #close()} gives a close_notify to leave before closing under it. */
    private static final Duration CLOSE_NOTIFY_GRACE = Duration.ofMillis(100);

    /** A record's header: content type (1 byte), version (2), length of what follows (2). */
    private static final int RECORD_HEADER_BYTES = 5;

    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final Transport network;
    private final SSLEngine engine;
    /** Held for each wrap and the write of what it made, so records go out whole and in order. */
    private final ReentrantLock sending = new ReentrantLock();
    // The reading side's state, owned by the reading thread; volatile for hasUnreadBytes() from other threads.
    // A buffer is null when empty, so an idle connection holds none.
    private volatile ByteBuffer encrypted;
    private volatile ByteBuffer decrypted;
    private volatile boolean inputShut;
    private boolean inputEnded;

    private TlsTransport(Transport network, SSLEngine engine) {
        this.network = network;
        this.engine = engine;
    }

    /**
     * @param network the connection to speak TLS over, with the bytes it already replays
     * @param engine  configured for its side: client or server mode, protocols, certificates, ALPN
     */
    public static TlsTransport over(Transport network, SSLEngine engine) {
        return new TlsTransport(network, engine);
    }

    /**
     * Runs the handshake to its end. On failure the peer is sent the engine's alert, so it learns why.
     *
     * @param deadlineNanos when to give up, on the {@link System#nanoTime()} clock
     * @throws SocketTimeoutException when the peer has not done its part by the deadline
     * @throws SSLHandshakeException  when the handshake fails: no shared protocol or cipher, an untrusted
     *                                certificate, a peer that left
     */
    public Negotiated handshake(long deadlineNanos) throws IOException {
        try {
            engine.beginHandshake();
            for (HandshakeStatus status = engine.getHandshakeStatus(); status != NOT_HANDSHAKING;
                 status = engine.getHandshakeStatus()) {
                switch (status) {
                    case NEED_WRAP -> send(NOTHING);
                    case NEED_TASK -> runDelegatedTasks();
                    default -> receiveHandshake(deadlineNanos);
                }
            }
            return Negotiated.by(engine);
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("TLS handshake not complete by its deadline");
        } catch (SSLException e) {
            sendAlert();
            throw new SSLHandshakeException("TLS handshake failed: " + innermostMessage(e), e);
        }
    }

    @Override
    public int read(ByteBuffer into) throws IOException {
        return read(into, false, 0);
    }

    @Override
    public int read(ByteBuffer into, long timeoutMillis) throws IOException {
        return read(into, true, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
    }

    @Override
    public boolean hasUnreadBytes() {
        return network.hasUnreadBytes()
                || network.channel().isOpen() && (decrypted != null || encrypted != null);
    }

    @Override
    public void write(ByteBuffer from) throws IOException {
        send(from);
        sendQueued();
    }

    /** Sends close_notify; in TLS 1.3 the peer may go on sending, in TLS 1.2 it is expected to close too. */
    @Override
    public void shutdownOutput() throws IOException {
        sending.lock();
        try {
            engine.closeOutbound();
            send(NOTHING);
        } finally {
            sending.unlock();
        }
        network.shutdownOutput();
    }

    @Override
    public void shutdownInput() {
        inputShut = true;
        network.shutdownInput();
    }

    @Override
    public void reset() {
        network.reset();
    }

    /**
     * Says close_notify if it can do so at once, then closes. A writer stuck on a peer that does not read holds
     * the sending lock: then there is no close_notify, and closing the network ends that write too.
     */
    @Override
    public void close() {
        if (!engine.isOutboundDone()) {
            Thread goodbye = Thread.ofVirtual().start(this::sayCloseNotify);
            try {
                goodbye.join(CLOSE_NOTIFY_GRACE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        network.close();
    }

    @Override
    public InetSocketAddress peerAddress() {
        return network.peerAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return network.localAddress();
    }

    /** Puts decrypted bytes back in front: the head reader gives back what it read past the head. */
    @Override
    public void replay(ByteBuffer bytes) {
        if (!bytes.hasRemaining()) {
            return;
        }
        ByteBuffer pending = decrypted;
        ByteBuffer both = ByteBuffer.allocate(bytes.remaining() + (pending == null ? 0 : pending.remaining()));
        both.put(bytes.duplicate());
        if (pending != null) {
            both.put(pending);
        }
        decrypted = both.flip();
    }

    @Override
    public SocketChannel channel() {
        return network.channel();
    }

    /**
     * The connection's TLS state, for a server that continues it with the same engine (Jetty's SslConnection).
     * This transport must not be used afterwards; the network transport stays with the caller, its replayed bytes
     * consumed (the handshake read them all).
     *
     * @param engine          the engine, past its handshake
     * @param encryptedUnread bytes read from the network and not yet unwrapped: the engine's next input
     * @param decryptedUnread bytes unwrapped (or replayed) and not yet read: the stream's next bytes, before
     *                        anything the encrypted ones hold
     */
    public record HandOffState(SSLEngine engine, ByteBuffer encryptedUnread, ByteBuffer decryptedUnread) {
    }

    /** Gives up the TLS state; see {@link HandOffState}. */
    public HandOffState handOff() {
        HandOffState state = new HandOffState(engine, orEmpty(encrypted), orEmpty(decrypted));
        encrypted = null;
        decrypted = null;
        return state;
    }

    private int read(ByteBuffer into, boolean timed, long deadlineNanos) throws IOException {
        if (!into.hasRemaining()) {
            return 0;
        }
        while (true) {
            if (inputShut) {
                return -1;
            }
            if (decrypted != null) {
                return takeDecrypted(into);
            }
            if (inputEnded) {
                return -1;
            }
            int before = into.position();
            boolean needsBytes = encrypted == null || unwrap(into) == Status.BUFFER_UNDERFLOW;
            if (into.position() > before) {
                return into.position() - before;
            }
            // The end of the stream without close_notify reads as an end too, as the JDK's SSLSocket has it.
            if (needsBytes && !receive(timed, deadlineNanos)) {
                inputEnded = true;
            }
        }
    }

    private void receiveHandshake(long deadlineNanos) throws IOException {
        boolean needsBytes = encrypted == null || unwrap(ByteBuffer.allocate(0)) == Status.BUFFER_UNDERFLOW;
        if (needsBytes && !receive(true, deadlineNanos)) {
            throw new SSLHandshakeException("the peer closed the connection in the middle of the handshake");
        }
    }

    /**
     * Unwraps one record: into {@code into} when it fits there, else into {@link #decrypted}. Answers what the
     * record asks for (a KeyUpdate, a close_notify in TLS 1.2).
     */
    private Status unwrap(ByteBuffer into) throws IOException {
        SSLEngineResult result = engine.unwrap(encrypted, into);
        if (result.getStatus() == Status.BUFFER_OVERFLOW) {
            // The engine asks for room before it looks whether the record is all there: no buffer for one that
            // is still arriving.
            if (!wholeRecordIn(encrypted)) {
                return Status.BUFFER_UNDERFLOW;
            }
            // The engine's size fits any record; asked now, it counts a session's larger records too.
            ByteBuffer spare = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            result = engine.unwrap(encrypted, spare);
            spare.flip();
            decrypted = spare.hasRemaining() ? spare : null;
        }
        if (!encrypted.hasRemaining()) {
            encrypted = null;
        }
        if (result.getStatus() == Status.CLOSED) {
            inputEnded = true;
        }
        HandshakeStatus status = result.getHandshakeStatus();
        if (status == NEED_TASK) {
            runDelegatedTasks();
        }
        sendQueued();
        return result.getStatus();
    }

    private static boolean wholeRecordIn(ByteBuffer bytes) {
        return bytes.remaining() >= RECORD_HEADER_BYTES && bytes.remaining()
                >= RECORD_HEADER_BYTES + Short.toUnsignedInt(bytes.getShort(bytes.position() + 3));
    }

    /** Reads more encrypted bytes from the network, growing the buffer when a record needs it; false at its end. */
    private boolean receive(boolean timed, long deadlineNanos) throws IOException {
        ByteBuffer buffer = roomForMore(encrypted);
        // While the read waits, the bytes it holds are the read's: not unread ones for hasUnreadBytes().
        encrypted = null;
        int read;
        try {
            read = timed ? network.read(buffer, millisUntil(deadlineNanos)) : network.read(buffer);
        } finally {
            buffer.flip();
            encrypted = buffer.hasRemaining() ? buffer : null;
        }
        return read >= 0;
    }

    private ByteBuffer roomForMore(ByteBuffer pending) {
        if (pending == null) {
            return ByteBuffer.allocate(WAITING_BUFFER_SIZE);
        }
        pending.compact();
        if (pending.hasRemaining()) {
            return pending;
        }
        int packet = engine.getSession().getPacketBufferSize();
        return ByteBuffer.allocate(Math.max(packet, 2 * pending.capacity())).put(pending.flip());
    }

    private static long millisUntil(long deadlineNanos) throws SocketTimeoutException {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("TLS read timed out");
        }
        // Rounded up: a timeout of 0 would mean none at all.
        return TimeUnit.NANOSECONDS.toMillis(left) + 1;
    }

    private int takeDecrypted(ByteBuffer into) {
        ByteBuffer pending = decrypted;
        int count = Math.min(into.remaining(), pending.remaining());
        into.put(pending.slice(pending.position(), count));
        pending.position(pending.position() + count);
        if (!pending.hasRemaining()) {
            decrypted = null;
        }
        return count;
    }

    /** Wraps all of {@code from}, and whatever the engine queued besides, and writes it out. */
    private void send(ByteBuffer from) throws IOException {
        sending.lock();
        try {
            ByteBuffer packet = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            while (true) {
                SSLEngineResult result = engine.wrap(from, packet.clear());
                if (result.getStatus() == Status.BUFFER_OVERFLOW) {
                    // The session's packets grew (larger records were agreed): take a buffer of the new size.
                    packet = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
                    continue;
                }
                network.write(packet.flip());
                if (result.getHandshakeStatus() == NEED_TASK) {
                    runDelegatedTasks();
                }
                if (result.getStatus() == Status.CLOSED) {
                    if (from.hasRemaining()) {
                        throw new SSLException("the TLS output is closed");
                    }
                    return;
                }
                HandshakeStatus status = engine.getHandshakeStatus();
                if (!from.hasRemaining() && status != NEED_WRAP) {
                    return;
                }
                if (result.bytesConsumed() == 0 && result.bytesProduced() == 0 && status == NEED_UNWRAP) {
                    throw new SSLException("nothing can be sent before the handshake is done");
                }
            }
        } finally {
            sending.unlock();
        }
    }

    /**
     * Sends what the engine queued while reading (the answer to a KeyUpdate or to a TLS 1.2 close_notify), unless
     * a writer holds the lock: that writer sends it with its own records, and looks again once it lets go. A
     * reader never waits for a writer, which may be waiting for a peer that waits for this reader.
     */
    private void sendQueued() throws IOException {
        if (engine.getHandshakeStatus() == NEED_WRAP && sending.tryLock()) {
            try {
                send(NOTHING);
            } finally {
                sending.unlock();
            }
        }
    }

    /** The alert the engine queued when the handshake failed: the peer should learn why. */
    private void sendAlert() {
        try {
            send(NOTHING);
        } catch (IOException ignored) {
            // The handshake's own failure is what is reported.
        }
    }

    private void sayCloseNotify() {
        if (sending.tryLock()) {
            try {
                engine.closeOutbound();
                send(NOTHING);
            } catch (IOException ignored) {
                // Best effort: the connection is being closed either way.
            } finally {
                sending.unlock();
            }
        }
    }

    private void runDelegatedTasks() {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    private static ByteBuffer orEmpty(ByteBuffer buffer) {
        return buffer == null ? ByteBuffer.allocate(0) : buffer;
    }

    /**
     * The most specific reason: the JDK wraps some in a generic one ("Unexpected exception", caused by "Unexpected
     * plaintext alert received: ... unknown_ca").
     */
    private static String innermostMessage(Throwable failure) {
        String message = failure.getMessage();
        for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
            message = cause.getMessage() != null ? cause.getMessage() : message;
        }
        return message;
    }
}
