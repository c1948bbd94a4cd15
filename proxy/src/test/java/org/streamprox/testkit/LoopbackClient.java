package org.streamprox.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A client connection from a chosen loopback address: all of 127.0.0.0/8 is the loopback on Linux, so a test can
 * play several clients, each its own address, and tell them apart from the proxies between them (127.0.0.1).
 */
public final class LoopbackClient {

    /** A test that waits longer than this for a byte has failed. */
    private static final int READ_TIMEOUT_MILLIS = 20_000;

    private LoopbackClient() {
    }

    /** A connection to {@code server} from {@code source} (such as {@code 127.0.0.7}) and a port of its own. */
    public static Socket connect(String source, InetSocketAddress server) throws IOException {
        return connect(new Socket(), source, server);
    }

    /** A TLS connection from {@code source}, its handshake done, asking for {@code serverName}. */
    public static SSLSocket connectTls(SSLContext context, String source, InetSocketAddress server,
                                       String serverName) throws IOException {
        SSLSocket socket = connect((SSLSocket) context.getSocketFactory().createSocket(), source, server);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        socket.setSSLParameters(parameters);
        try {
            socket.startHandshake();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    private static <S extends Socket> S connect(S socket, String source, InetSocketAddress server)
            throws IOException {
        try {
            socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            socket.connect(server, READ_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** The client's own address and port, as a server sees it: {@code 127.0.0.7:41234}. */
    public static String self(Socket socket) {
        return socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
    }
}
