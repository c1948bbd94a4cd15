package org.streamprox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The original echo demo as deployed: {@code /demo} is the in-process page, {@code /} a WebSocket forwarded to
 * websocketd (a server written by others) with the Host header rewritten to the upstream's name.
 */
class EchoIT {

    private static Deployment site;

    @BeforeAll
    static void start() throws Exception {
        // websocketd derives SERVER_NAME from the Host header it received: the first message proves the rewrite.
        site = Deployment.start(port -> Images.websocketd(port, "sh", "-c", "echo \"server=$SERVER_NAME\"; exec cat"),
                echoPort -> """
                        routes:
                          - { name: demo, match: { path: /demo }, local: echo-page }
                          - name: echo
                            match: { path: / }
                            remote: 127.0.0.1:%d
                            rewrite: { set-headers: { Host: echo.example.org } }
                        """.formatted(echoPort));
    }

    @AfterAll
    static void stop() {
        site.close();
    }

    @Test
    void theDemoPageIsServedInProcess() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + site.port + "/demo")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("WebSocket rocks"), page.body());
    }

    @Test
    void aWebSocketReachesTheRemoteEchoServerUnderItsOwnName() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + site.port + "/"), new Collector(received))
                .get(10, TimeUnit.SECONDS);
        try {
            assertEquals("server=echo.example.org", received.poll(10, TimeUnit.SECONDS));
            for (String message : new String[] {"WebSocket rocks", "and again"}) {
                socket.sendText(message, true).get(5, TimeUnit.SECONDS);
                assertEquals(message, received.poll(10, TimeUnit.SECONDS));
            }
        } finally {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        }
    }

    /** Queues each whole text message. */
    private static final class Collector implements WebSocket.Listener {

        private final LinkedBlockingQueue<String> received;
        private final StringBuilder partial = new StringBuilder();

        Collector(LinkedBlockingQueue<String> received) {
            this.received = received;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(partial.toString().strip());
                partial.setLength(0);
            }
            webSocket.request(1);
            return CompletableFuture.completedFuture(null);
        }
    }
}
