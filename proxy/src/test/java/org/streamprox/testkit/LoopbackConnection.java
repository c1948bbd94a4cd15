package org.streamprox.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.streamprox.proxy.transport.PlainTransport;

/**
 * One real loopback connection per test: the accepted side as the engine's {@link PlainTransport}, the connecting
 * side as a plain socket the test writes and reads as the peer (its reads give up after 5 s).
 */
public final class LoopbackConnection implements BeforeEachCallback, AfterEachCallback {

    private ServerSocketChannel listener;
    private Socket peer;
    private PlainTransport transport;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        peer = new Socket(InetAddress.getLoopbackAddress(), listener.socket().getLocalPort());
        peer.setSoTimeout(5_000);
        transport = new PlainTransport(listener.accept());
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        transport.close();
        peer.close();
        listener.close();
    }

    /** The accepted side, as the engine reads it. */
    public PlainTransport transport() {
        return transport;
    }

    /** The other end. */
    public Socket peer() {
        return peer;
    }
}
