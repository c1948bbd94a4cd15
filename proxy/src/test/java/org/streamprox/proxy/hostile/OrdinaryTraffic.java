package org.streamprox.proxy.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.streamprox.testkit.Http.get;

import java.net.Socket;
import java.time.Duration;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Target;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;

/** The well-behaved clients and upstream that must keep being served while others misbehave. */
final class OrdinaryTraffic {

    static final String RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

    private OrdinaryTraffic() {
    }

    /** An upstream answering every request with {@link #RESPONSE} and closing. */
    static LoopbackServer upstream() throws Exception {
        return LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(Http.ascii(RESPONSE));
        });
    }

    static Route routeTo(LoopbackServer upstream) {
        return Route.to("ordinary", new Target.Remote("127.0.0.1", upstream.port()));
    }

    /** One request through the proxy; asserts the full answer arrived and returns how long it took. */
    static Duration request(ProxyExtension proxy) throws Exception {
        long start = System.nanoTime();
        try (Socket client = proxy.connect()) {
            assertEquals(RESPONSE, Http.exchange(client, get("/ordinary")));
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
