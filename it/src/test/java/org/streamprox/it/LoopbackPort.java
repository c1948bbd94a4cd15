package org.streamprox.it;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * Ready when a container's server answers on its loopback port (mapped ports do not exist here): when it accepts
 * TCP connections, or, for a server that speaks first, when it greets.
 */
final class LoopbackPort extends AbstractWaitStrategy {

    private final int port;
    /** What the server's first bytes must be; empty when accepting is enough. */
    private final String greeting;

    private LoopbackPort(int port, String greeting) {
        this.port = port;
        this.greeting = greeting;
    }

    static LoopbackPort accepting(int port) {
        return new LoopbackPort(port, "");
    }

    /** Ready when the server's first bytes are {@code greeting}, as {@code "SSH-2.0-OpenSSH"} or {@code "220 "}. */
    static LoopbackPort greeting(int port, String greeting) {
        return new LoopbackPort(port, greeting);
    }

    @Override
    protected void waitUntilReady() {
        Awaitility.await("127.0.0.1:" + port + " to accept" + (greeting.isEmpty() ? "" : " and greet " + greeting))
                .atMost(startupTimeout).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                        socket.setSoTimeout(1000);
                        InputStream in = socket.getInputStream();
                        // A server still starting may accept, then close or say nothing: that is not ready.
                        return new String(in.readNBytes(greeting.length()), StandardCharsets.ISO_8859_1)
                                .equals(greeting);
                    }
                });
    }
}
