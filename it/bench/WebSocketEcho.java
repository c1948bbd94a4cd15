import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * WebSocket echo round trips, for the benchmark's latency figure.
 *
 * <p>{@code java WebSocketEcho.java PORT PATH CONNECTIONS SECONDS}: opens CONNECTIONS WebSockets to
 * ws://127.0.0.1:PORT/PATH (java.net.http) and on each, for SECONDS, sends a small text message and waits for
 * its echo before sending the next. The round trips of a first second, while this JVM compiles its own code,
 * are not counted. Prints one line:
 * {@code WSRESULT round_trips duration_us p50_us p99_us errors}, latencies over every round trip of every
 * connection. A wrong echo or a failed connection counts as an error.
 */
public final class WebSocketEcho {

    private static final String MESSAGE = "hello, echo!";
    private static final long WARM_UP_NANOS = TimeUnit.SECONDS.toNanos(1);

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        URI uri = URI.create("ws://127.0.0.1:" + port + args[1]);
        int connections = Integer.parseInt(args[2]);
        long seconds = Long.parseLong(args[3]);
        HttpClient client = HttpClient.newHttpClient();
        List<Connection> all = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            all.add(new Connection(client, uri));
        }
        runAll(all, System.nanoTime() + WARM_UP_NANOS);
        for (Connection connection : all) {
            connection.count = 0;
        }
        long start = System.nanoTime();
        runAll(all, start + TimeUnit.SECONDS.toNanos(seconds));
        long elapsedMicros = (System.nanoTime() - start) / 1000;
        long errors = 0;
        int count = 0;
        for (Connection connection : all) {
            errors += connection.errors;
            count += connection.count;
        }
        long[] micros = new long[count];
        int at = 0;
        for (Connection connection : all) {
            System.arraycopy(connection.micros, 0, micros, at, connection.count);
            at += connection.count;
            connection.close();
        }
        Arrays.sort(micros);
        System.out.printf("WSRESULT %d %d %d %d %d%n", count, elapsedMicros, percentile(micros, 50),
                percentile(micros, 99), errors);
    }

    /** Every connection does round trips in parallel until the deadline. */
    private static void runAll(List<Connection> all, long deadline) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (Connection connection : all) {
            threads.add(Thread.ofVirtual().start(() -> connection.roundTrips(deadline)));
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private static long percentile(long[] sorted, int percent) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, sorted.length * percent / 100)];
    }

    /** One WebSocket; the listener completes the pending round trip when a whole text message has arrived. */
    private static final class Connection implements WebSocket.Listener {

        private final WebSocket socket;
        private final StringBuilder received = new StringBuilder();
        private final AtomicReference<CompletableFuture<String>> pending = new AtomicReference<>();
        private long[] micros = new long[1 << 16];
        private int count;
        private long errors;

        Connection(HttpClient client, URI uri) {
            socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(uri, this).join();
        }

        void roundTrips(long deadline) {
            try {
                while (System.nanoTime() < deadline) {
                    CompletableFuture<String> echo = new CompletableFuture<>();
                    pending.set(echo);
                    long sent = System.nanoTime();
                    socket.sendText(MESSAGE, true).join();
                    String reply = echo.get(10, TimeUnit.SECONDS);
                    long took = (System.nanoTime() - sent) / 1000;
                    if (!MESSAGE.equals(reply)) {
                        errors++;
                        continue;
                    }
                    if (count == micros.length) {
                        micros = Arrays.copyOf(micros, 2 * count);
                    }
                    micros[count++] = took;
                }
            } catch (Exception e) {
                // The connection is broken: stop, and let the benchmark see it.
                errors++;
                System.err.println("round trip failed: " + e);
            }
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(5, TimeUnit.SECONDS)
                    .exceptionally(failure -> null).join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            received.append(data);
            if (last) {
                pending.get().complete(received.toString());
                received.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            CompletableFuture<String> echo = pending.get();
            if (echo != null) {
                echo.completeExceptionally(error);
            }
        }
    }
}
