import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The "one address takes every place" attack from hostile testing, with a prober that measures what an ordinary
 * client sees meanwhile. WAVES times, from 127.0.0.2: close the last wave's connections, open CONNECTIONS new ones as
 * fast as they go, each sending only {@code GET /bar HTTP/1.1\r\n}, hold them, then wait PAUSE_MS; all the while a prober on 127.0.0.1 sends
 * {@code GET /bar} on a new connection after another and times each answer's status line.
 *
 * <pre>java it/bench/HeadFlood.java PORT [CONNECTIONS=10300] [WAVES=3] [PAUSE_MS=10000]</pre>
 *
 * Prints the attack's pace and the prober's exchanges: count, failures, median, 99th percentile and slowest.
 */
public final class HeadFlood {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 10_300;
        int waves = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        long pauseMillis = args.length > 3 ? Long.parseLong(args[3]) : 10_000;
        InetSocketAddress proxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);

        AtomicBoolean attacking = new AtomicBoolean(true);
        List<Long> millis = Collections.synchronizedList(new ArrayList<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Thread prober = Thread.ofPlatform().name("prober").start(() -> {
            while (attacking.get()) {
                long start = System.nanoTime();
                try (Socket client = new Socket()) {
                    client.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
                    client.connect(proxy);
                    client.setSoTimeout(30_000);
                    client.getOutputStream().write(
                            "GET /bar HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    String status = statusLine(client.getInputStream());
                    if (!status.startsWith("HTTP/1.1 200")) {
                        failures.add(status);
                    }
                } catch (IOException e) {
                    failures.add(e.toString());
                }
                millis.add((System.nanoTime() - start) / 1_000_000);
            }
        });

        List<Socket> held = new ArrayList<>();
        for (int wave = 1; wave <= waves; wave++) {
            // The last wave's connections have timed out by now: a new wave comes with new ones.
            closeAll(held);
            long start = System.nanoTime();
            int opened = 0;
            for (int i = 0; i < connections; i++) {
                try {
                    Socket socket = new Socket();
                    socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
                    socket.connect(proxy, 5_000);
                    socket.getOutputStream().write("GET /bar HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    held.add(socket);
                    opened++;
                } catch (IOException e) {
                    // A full backlog or a connection already let go: the attack goes on.
                }
            }
            System.out.printf("wave %d: %d connections opened in %d ms%n", wave, opened,
                    (System.nanoTime() - start) / 1_000_000);
            Thread.sleep(pauseMillis);
        }
        attacking.set(false);
        prober.join();
        closeAll(held);
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        System.out.printf("prober: %d exchanges, %d failed, median %d ms, p99 %d ms, slowest %d ms%n", sorted.size(),
                failures.size(), sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.99)),
                sorted.get(sorted.size() - 1));
        failures.stream().distinct().limit(5).forEach(f -> System.out.println("  failure: " + f));
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\r'; b = in.read()) {
            line.append((char) b);
        }
        return line.toString();
    }
}
