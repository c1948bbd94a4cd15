package org.streamprox.proxy.hostile;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.server.StreamProx;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;

/**
 * 2,000 clients dribble an unfinished head, one byte per connection every 250 ms, while ordinary clients keep
 * being served.
 *
 * <p>Bound: the ordinary clients' 95th-percentile latency under this load stays below 20 times their unloaded
 * median plus 500 ms (generous: two shared cores serve 8,000 slow reads a second meanwhile). After the 2 s head
 * timeout every slow connection is gone from the engine and each slow client has seen {@code 408} or a close.
 */
class SlowlorisTest {

    private static final int SLOW_CLIENTS = 2000;
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(2);
    private static final long BYTE_INTERVAL_MILLIS = 250;
    /** Never ends with the empty line, so the head cannot complete however long it is dribbled. */
    private static final byte[] UNFINISHED_HEAD =
            Http.ascii("GET /slow HTTP/1.1\r\nHost: slow.test\r\nX-Padding: " + "p".repeat(200));

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    /** One slow client: the socket and how much of the head it has sent. */
    private static final class SlowClient {
        final Socket socket;
        int sent;
        boolean stopped;

        SlowClient(Socket socket) {
            this.socket = socket;
        }

        /** Sends the next byte unless the engine has answered or closed; returns whether it is still going. */
        boolean dribble() {
            try {
                if (socket.getInputStream().available() > 0) {
                    stopped = true;
                } else {
                    socket.getOutputStream().write(UNFINISHED_HEAD[sent++ % UNFINISHED_HEAD.length]);
                }
            } catch (IOException e) {
                stopped = true;
            }
            return !stopped;
        }

        /** Whether the engine answered 408 or closed (a reset counts as a close). */
        boolean sawTimeoutOrClose() {
            try {
                String answer = Http.readAll(socket);
                return answer.isEmpty() || Http.status(answer) == 408;
            } catch (IOException e) {
                return true;
            }
        }
    }

    @Test
    void slowHeadsDoNotStarveOthersAndAreAllCutAtTheHeadTimeout() throws Exception {
        try (LoopbackServer upstream = OrdinaryTraffic.upstream()) {
            StreamProx server = proxy.start(ProxyExtension.everythingTo(OrdinaryTraffic.routeTo(upstream)),
                    settings -> settings.withHead(new HeadLimits(HeadLimits.Until.HEADERS,
                            HeadLimits.DEFAULT_MAX_BYTES, HeadLimits.DEFAULT_MAX_READS, HEAD_TIMEOUT)),
                    LocalApps.NONE);
            long unloadedMedian = percentileMillis(latencies(30), 50);

            List<SlowClient> slow = new ArrayList<>();
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                slow.add(new SlowClient(proxy.connect()));
            }
            Thread dribbler = Thread.ofPlatform().name("slowloris").start(() -> dribbleUntilAllStopped(slow));
            long[] loaded = latencies(100);
            long loadedP95 = percentileMillis(loaded, 95);
            assertTrue(loadedP95 < 20 * unloadedMedian + 500,
                    "p95 " + loadedP95 + " ms under load, unloaded median " + unloadedMedian + " ms");

            await("slow connections cut").atMost(HEAD_TIMEOUT.plusSeconds(8))
                    .until(() -> server.openConnections() == 0);
            dribbler.join(Duration.ofSeconds(10));
            assertEquals(SLOW_CLIENTS, slow.stream().filter(SlowClient::sawTimeoutOrClose).count());
            slow.forEach(client -> close(client.socket));
        }
    }

    /** The workload's own pacing: a byte to every slow client each interval until the engine stops them all. */
    private static void dribbleUntilAllStopped(List<SlowClient> clients) {
        List<SlowClient> going = new ArrayList<>(clients);
        while (!going.isEmpty()) {
            long tickStart = System.nanoTime();
            going.removeIf(client -> !client.dribble());
            long restMillis = BYTE_INTERVAL_MILLIS - (System.nanoTime() - tickStart) / 1_000_000;
            if (restMillis > 0) {
                try {
                    Thread.sleep(restMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private long[] latencies(int requests) throws Exception {
        long[] millis = new long[requests];
        for (int i = 0; i < requests; i++) {
            millis[i] = OrdinaryTraffic.request(proxy).toMillis();
        }
        return millis;
    }

    private static long percentileMillis(long[] values, int percentile) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)];
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already reset by the engine.
        }
    }
}
