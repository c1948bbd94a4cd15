package org.streamprox.proxy.proxyprotocol;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.streamprox.proxy.transport.PlainTransport;

/** A real TCP connection over the loopback: a client socket to write with, and the server's end as a transport. */
final class SocketPair implements AutoCloseable {

    final Socket client;
    final PlainTransport server;

    SocketPair() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1)) {
            client = new Socket(InetAddress.getLoopbackAddress(), listener.socket().getLocalPort());
            client.setTcpNoDelay(true);
            SocketChannel accepted = listener.accept();
            server = new PlainTransport(accepted);
        }
    }

    void send(byte[] bytes) throws IOException {
        client.getOutputStream().write(bytes);
    }

    /** How many bytes have arrived that no read has taken yet (replayed ones aside). */
    int waiting() throws IOException {
        return server.channel().socket().getInputStream().available();
    }

    @Override
    public void close() throws IOException {
        client.close();
        server.close();
    }
}
