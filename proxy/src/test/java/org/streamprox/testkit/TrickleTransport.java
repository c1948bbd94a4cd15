package org.streamprox.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.streamprox.proxy.transport.Transport;

/** A transport whose reads bring one byte each, however many have arrived: the worst a network can do. */
public final class TrickleTransport implements Transport {

    private final Transport network;
    private int reads;

    public TrickleTransport(Transport network) {
        this.network = network;
    }

    /** How many reads have been made. */
    public int reads() {
        return reads;
    }

    @Override
    public int read(ByteBuffer into) throws IOException {
        return trickle(into, network::read);
    }

    @Override
    public int read(ByteBuffer into, long timeoutMillis) throws IOException {
        return trickle(into, buffer -> network.read(buffer, timeoutMillis));
    }

    private int trickle(ByteBuffer into, Read read) throws IOException {
        reads++;
        if (into.remaining() <= 1) {
            return read.into(into);
        }
        // A slice shares the array, so a timed read of a heap buffer still works.
        int got = read.into(into.slice(into.position(), 1));
        if (got > 0) {
            into.position(into.position() + got);
        }
        return got;
    }

    private interface Read {
        int into(ByteBuffer buffer) throws IOException;
    }

    @Override
    public boolean hasUnreadBytes() {
        return network.hasUnreadBytes();
    }

    @Override
    public void write(ByteBuffer from) throws IOException {
        network.write(from);
    }

    @Override
    public void shutdownOutput() throws IOException {
        network.shutdownOutput();
    }

    @Override
    public void shutdownInput() {
        network.shutdownInput();
    }

    @Override
    public void reset() {
        network.reset();
    }

    @Override
    public void close() {
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

    @Override
    public void replay(ByteBuffer bytes) {
        network.replay(bytes);
    }

    @Override
    public SocketChannel channel() {
        return network.channel();
    }
}
