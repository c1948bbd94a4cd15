package org.streamprox.proxy.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.streamprox.testkit.Http.get;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.config.ProxySettings;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Target;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;

/** The accept loop outlives whatever goes wrong with one connection. */
class AcceptLoopTest {

    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    @Test
    void aConnectionThatCannotBeStartedIsClosedAndTheLoopKeepsAccepting() throws Exception {
        AtomicBoolean failNext = new AtomicBoolean(true);
        Listener.ConnectionThreads failingOnce = (id, connection) -> {
            if (failNext.getAndSet(false)) {
                throw new IllegalStateException("no thread for this one");
            }
            Listener.ConnectionThreads.VIRTUAL.start(id, connection);
        };
        try (LoopbackServer upstream = LoopbackServer.echo()) {
            StreamProx proxy = StreamProx.start(
                    ProxySettings.listeningOn(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)),
                    ProxyExtension.everythingTo(Route.to("echo", new Target.Remote("127.0.0.1", upstream.port()))),
                    LocalApps.NONE, failingOnce);
            try {
                try (Socket unlucky = connect(proxy)) {
                    unlucky.getOutputStream().write(Http.ascii(get("/unlucky")));
                    assertEquals(0, Http.countUntilTheEnd(unlucky.getInputStream()), "closed without an answer");
                }
                try (Socket next = connect(proxy)) {
                    next.getOutputStream().write(Http.ascii(get("/next")));
                    next.shutdownOutput();
                    assertEquals(get("/next"), Http.readAll(next));
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> proxy.admittedConnections() == 0
                        && proxy.openConnections() == 0);
                assertEquals(1, accessLog.lines().stream()
                        .filter(line -> line.endsWith("internal error: java.lang.IllegalStateException: "
                                + "no thread for this one")).count(), accessLog.lines().toString());
            } finally {
                proxy.stop(Duration.ofSeconds(1));
            }
        }
    }

    private static Socket connect(StreamProx proxy) throws Exception {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.localAddress().getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }
}
