package org.streamprox.testkit;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import org.streamprox.proxy.transport.Transport;

/**
 * A client for the readers' fuzz tests: returns the input in reads of the sizes the split's bytes give (1 to 256,
 * the split repeated; all at once when it is empty), each also capped by the room the reader offers, then end of
 * stream. Reads never block. Bytes given back ({@link #replay}) come first, in reads of the same sizes.
 */
public final class SplitTransport implements Transport {

    private final byte[] input;
    private final byte[] split;
    private int position;
    private int reads;
    private ByteBuffer replayed = ByteBuffer.allocate(0);

    public SplitTransport(byte[] input, byte[] split) {
        this.input = input;
        this.split = split;
    }

    @Override
    public int read(ByteBuffer into) {
        int size = split.length == 0 ? Integer.MAX_VALUE : (split[reads % split.length] & 0xff) + 1;
        reads++;
        if (replayed.hasRemaining()) {
            int n = Math.min(Math.min(size, into.remaining()), replayed.remaining());
            into.put(replayed.slice(replayed.position(), n));
            replayed.position(replayed.position() + n);
            return n;
        }
        if (position == input.length) {
            return -1;
        }
        int n = Math.min(Math.min(size, into.remaining()), input.length - position);
        into.put(input, position, n);
        position += n;
        return n;
    }

    @Override
    public int read(ByteBuffer into, long timeoutMillis) {
        return read(into);
    }

    @Override
    public void write(ByteBuffer from) {
        throw new UnsupportedOperationException("a reader of first bytes only reads");
    }

    @Override
    public void shutdownOutput() {
        throw new UnsupportedOperationException("a reader of first bytes only reads");
    }

    @Override
    public boolean hasUnreadBytes() {
        return replayed.hasRemaining() || position < input.length;
    }

    @Override
    public void shutdownInput() {
        replayed = ByteBuffer.allocate(0);
        position = input.length;
    }

    @Override
    public void reset() {
        throw new UnsupportedOperationException("a reader of first bytes only reads");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("a reader of first bytes only reads");
    }

    @Override
    public InetSocketAddress peerAddress() {
        throw new UnsupportedOperationException("no socket");
    }

    @Override
    public InetSocketAddress localAddress() {
        throw new UnsupportedOperationException("no socket");
    }

    @Override
    public void replay(ByteBuffer bytes) {
        ByteBuffer both = ByteBuffer.allocate(bytes.remaining() + replayed.remaining());
        replayed = both.put(bytes.duplicate()).put(replayed).flip();
    }

    @Override
    public SocketChannel channel() {
        throw new UnsupportedOperationException("no socket");
    }

    /** How many reads were asked for, the one that returned the end of the stream included. */
    public int reads() {
        return reads;
    }

    @Override
    public String toString() {
        return "split " + Arrays.toString(split) + " (" + reads + " reads)";
    }
}
