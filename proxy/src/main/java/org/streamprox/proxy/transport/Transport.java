package org.streamprox.proxy.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * One side of a proxied connection as the engine reads and writes it: the client's, or the upstream's in a tunnel.
 * Blocking, on the caller's (virtual) thread. The head reader, the error answers and the copy loops see only this,
 * so a TLS transport, or a client whose address came in a PROXY-protocol header, plugs in without them knowing.
 */
public interface Transport {

    /** Reads what has arrived, waiting for at least one byte; -1 at the end of the stream. */
    int read(ByteBuffer into) throws IOException;

    /**
     * As {@link #read(ByteBuffer)}, giving up after {@code timeoutMillis} (more than 0) with a
     * {@link java.net.SocketTimeoutException}. The buffer must be a heap buffer: timed reads are for heads.
     */
    int read(ByteBuffer into, long timeoutMillis) throws IOException;

    /**
     * As {@link #read(ByteBuffer, long)}, waiting at most until {@code deadlineNanos} (a {@link System#nanoTime()}
     * value): the readers of a connection's first bytes give it one deadline, however many reads they take.
     *
     * @throws SocketTimeoutException when the deadline passes, at once if it already has
     */
    default int readBefore(ByteBuffer into, long deadlineNanos) throws IOException {
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (remainingMillis <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return read(into, remainingMillis);
    }

    /** Whether bytes have arrived that no read has taken yet (replayed ones included); false once closed. */
    boolean hasUnreadBytes();

    /** Writes all of the buffer; blocking writes are the backpressure. */
    void write(ByteBuffer from) throws IOException;

    /** Ends the output: the peer reads an end of stream and may go on sending. */
    void shutdownOutput() throws IOException;

    /**
     * Stops reading, from any thread: a read waiting now, and every later one, returns the end of the stream, while
     * writing still works (so a connection can be told why it is being let go).
     */
    void shutdownInput();

    /** Closes abortively: the peer sees a reset, never an end of stream that could pass for a complete answer. */
    void reset();

    /** Closes quietly; closing again does nothing. */
    void close();

    /** Who is on the other side: the client or the upstream. */
    InetSocketAddress peerAddress();

    /** The address of this side. */
    InetSocketAddress localAddress();

    /**
     * Puts bytes read ahead back in front of the stream: the next reads return them before anything else. A stage
     * that peeks at the first bytes (a PROXY header, a TLS or SSH greeting) gives back what is not its own this way.
     */
    void replay(ByteBuffer bytes);

    /** The TCP connection underneath: for its socket options, and for a hand-off to a server that reads it itself. */
    SocketChannel channel();
}
