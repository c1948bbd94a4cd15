package org.streamprox.proxy.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A TCP socket channel in blocking mode: bytes as they are on the wire. */
public final class PlainTransport implements Transport {

    private final SocketChannel channel;
    private final InetSocketAddress peer;
    private ByteBuffer replayed;

    /**
     * A new connection to {@code address}, with Nagle off, made within {@code timeoutMillis}; nothing is left open
     * when it cannot be made.
     *
     * @throws java.net.SocketTimeoutException when the address did not accept in time
     */
    public static PlainTransport connect(InetSocketAddress address, int timeoutMillis) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            // The channel's own connect has no timeout; its socket adaptor's does.
            channel.socket().connect(address, timeoutMillis);
            return new PlainTransport(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** @param channel a connected channel in blocking mode */
    public PlainTransport(SocketChannel channel) {
        this.channel = channel;
        this.peer = (InetSocketAddress) channel.socket().getRemoteSocketAddress();
    }

    @Override
    public int read(ByteBuffer into) throws IOException {
        return replayed != null ? takeReplayed(into) : channel.read(into);
    }

    @Override
    public int read(ByteBuffer into, long timeoutMillis) throws IOException {
        if (replayed != null) {
            return takeReplayed(into);
        }
        // Unlike the channel's reads, the socket adaptor's honour a read timeout. Its stream is not kept: heads
        // take one read or a few, and an idle connection should hold as little as it can.
        channel.socket().setSoTimeout(Math.toIntExact(Math.min(timeoutMillis, Integer.MAX_VALUE)));
        int read = channel.socket().getInputStream().read(into.array(), into.arrayOffset() + into.position(),
                into.remaining());
        if (read > 0) {
            into.position(into.position() + read);
        }
        return read;
    }

    @Override
    public boolean hasUnreadBytes() {
        try {
            return channel.isOpen() && (replayed != null || channel.socket().getInputStream().available() > 0);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A blocking channel's write may return early on a virtual thread, whose socket is non-blocking underneath:
     * write until the buffer is empty.
     */
    @Override
    public void write(ByteBuffer from) throws IOException {
        while (from.hasRemaining()) {
            channel.write(from);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void shutdownInput() {
        try {
            channel.shutdownInput();
        } catch (IOException ignored) {
            // Already closed: nothing is read any more either way.
        }
    }

    /** SO_LINGER 0 makes close send a reset. */
    @Override
    public void reset() {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException ignored) {
            // Already closed; close() below is then a no-op.
        }
        close();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing is best effort; the connection is over either way.
        }
    }

    @Override
    public InetSocketAddress peerAddress() {
        return peer;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.socket().getLocalSocketAddress();
    }

    @Override
    public void replay(ByteBuffer bytes) {
        if (!bytes.hasRemaining()) {
            return;
        }
        if (replayed == null) {
            replayed = bytes.slice();
            return;
        }
        ByteBuffer both = ByteBuffer.allocate(bytes.remaining() + replayed.remaining());
        replayed = both.put(bytes.duplicate()).put(replayed).flip();
    }

    @Override
    public SocketChannel channel() {
        return channel;
    }

    private int takeReplayed(ByteBuffer into) {
        int count = Math.min(into.remaining(), replayed.remaining());
        into.put(replayed.slice(replayed.position(), count));
        replayed.position(replayed.position() + count);
        if (!replayed.hasRemaining()) {
            replayed = null;
        }
        return count;
    }
}
