package org.streamprox.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A loopback listener for a test that runs a real client against it and reads what the client sent, one connection
 * at a time. An accept waits 10 s at most: a client that failed to start fails the test rather than hanging it.
 */
public final class CapturingListener implements BeforeEachCallback, AfterEachCallback {

    private static final int ACCEPT_TIMEOUT_MILLIS = 10_000;

    private ServerSocketChannel channel;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        channel = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        // The socket adaptor's accept honours a timeout; the channel's does not.
        channel.socket().setSoTimeout(ACCEPT_TIMEOUT_MILLIS);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        channel.close();
    }

    public int port() {
        return channel.socket().getLocalPort();
    }

    /** The next connection, its channel in blocking mode. */
    public Socket accept() throws IOException {
        return channel.socket().accept();
    }
}
