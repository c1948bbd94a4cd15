package org.streamprox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSession;
import org.streamprox.testkit.LoopbackServer;

/**
 * A TLS server on 127.0.0.1 whose connections use {@link ServerCertificates#newEngine()}: it answers a request with
 * {@code ok} and remembers how each handshake went.
 */
final class TlsTestServer implements AutoCloseable {

    /** What the server saw of one handshake: what it served and what the client asked for, or how it failed. */
    record Handshake(String certificate, String applicationProtocol, List<String> requestedServerNames,
                     IOException failure) {
    }

    private static final String RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

    private final BlockingQueue<Handshake> handshakes = new LinkedBlockingQueue<>();
    private final LoopbackServer server;

    TlsTestServer(ServerCertificates certificates) throws IOException {
        server = LoopbackServer.start(socket -> serve(new EngineConnection(certificates.newEngine(), socket), socket));
    }

    private void serve(EngineConnection connection, Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        try {
            connection.handshake();
        } catch (IOException e) {
            handshakes.add(new Handshake(null, null, null, e));
            throw e;
        }
        SSLSession session = connection.engine().getSession();
        handshakes.add(new Handshake(
                ((X509Certificate) session.getLocalCertificates()[0]).getSubjectX500Principal().getName(),
                connection.engine().getApplicationProtocol(),
                ((ExtendedSSLSession) session).getRequestedServerNames().stream()
                        .map(name -> ((SNIHostName) name).getAsciiName()).toList(),
                null));
        if (!connection.read("\r\n\r\n").isEmpty()) {
            connection.write(RESPONSE);
        }
        connection.close();
    }

    int port() {
        return server.port();
    }

    /** The next handshake the server finished or failed, waiting up to 10 s for it. */
    Handshake nextHandshake() throws InterruptedException {
        Handshake handshake = handshakes.poll(10, TimeUnit.SECONDS);
        assertNotNull(handshake, "the server saw no handshake within 10 s");
        return handshake;
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
