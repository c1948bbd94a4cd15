package org.streamprox.proxy.reload;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.server.StreamProx;
import org.streamprox.testkit.FreePorts;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.Nginx;
import org.streamprox.testkit.ProxyExtension;

/**
 * The test under load: clients keep keep-alive requests and long transfers going through StreamProx to a
 * real nginx while its configuration is reloaded 100 times, valid and invalid alternating. The valid ones alternate
 * between two upstreams (nginx servers that answer "A" and "B"), so every connection's answer tells which
 * configuration served it. No request may fail, no transfer be cut short or altered, every request on a
 * connection must reach the upstream its first did, and every new connection must be served by the configuration
 * in force when it arrived: the reloads completed before it connected, and those begun before its first answer,
 * bracket it.
 */
class ReloadUnderLoadTest {

    private static final int RELOADS = 100;
    private static final int KEEP_ALIVE_CLIENTS = 6;
    private static final int REQUESTS_PER_CONNECTION = 20;
    private static final int TRANSFER_CLIENTS = 3;
    /** 4 MiB at nginx's 4 MB/s per connection: each transfer lasts about a second, across many reloads. */
    private static final int TRANSFER_BYTES = 4 * 1024 * 1024;

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @TempDir
    Path directory;

    /** One reload: the file written and what serves new connections once it is done. */
    private record Step(String yaml, boolean valid, String inForce) {
    }

    /** A connection's answer and the reloads that bracket its arrival. */
    private record Arrival(int completedBefore, int begunBeforeAnswer, String answer) {
    }

    private final AtomicInteger reloadsBegun = new AtomicInteger();
    private final AtomicInteger reloadsCompleted = new AtomicInteger();
    private final Queue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong transferredBytes = new AtomicLong();
    private final AtomicInteger transfersSpanningReloads = new AtomicInteger();
    private final AtomicInteger keepAliveRequests = new AtomicInteger();
    private volatile boolean running = true;
    private long expectedChecksum;

    @Test
    void reloadingAHundredTimesUnderLoadDropsNothingAndServesEachNewConnectionByTheConfigurationInForce()
            throws Exception {
        int[] ports = FreePorts.onLoopback(2);
        byte[] big = new byte[TRANSFER_BYTES];
        new Random(16).nextBytes(big);
        Files.createDirectories(directory.resolve("www"));
        Files.write(directory.resolve("www/big.bin"), big);
        CRC32 checksum = new CRC32();
        checksum.update(big);
        expectedChecksum = checksum.getValue();
        try (Nginx nginx = Nginx.start(directory, server(ports[0], "A") + server(ports[1], "B"), "")) {
            Path file = directory.resolve("streamprox.yaml");
            List<Step> steps = plan(ports[0], ports[1]);
            Files.writeString(file, routesTo(ports[0]));
            ConfigSource source = ConfigSource.file(file, new ConfigLoader(Set.of()));
            ProxyConfig config = source.read();
            StreamProx server = proxy.startAsConfigured(config);
            ConfigReloader reloader = new ConfigReloader(server, source, config);
            InetSocketAddress address = server.localAddress();

            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < KEEP_ALIVE_CLIENTS; i++) {
                clients.add(Thread.ofVirtual().name("keep-alive-client-" + i).start(() -> keepAlive(address)));
            }
            for (int i = 0; i < TRANSFER_CLIENTS; i++) {
                clients.add(Thread.ofVirtual().name("transfer-client-" + i).start(() -> transfers(address)));
            }
            for (Step step : steps) {
                // Paced by the traffic: some new connections and some bytes of the long transfers between reloads.
                int arrived = arrivals.size();
                long transferred = transferredBytes.get();
                await().atMost(Duration.ofSeconds(10)).until(() -> arrivals.size() >= arrived + 4
                        && transferredBytes.get() >= transferred + 64 * 1024 || !failures.isEmpty());
                Files.writeString(file, step.yaml());
                reloadsBegun.incrementAndGet();
                ReloadResult result = reloader.reload();
                reloadsCompleted.incrementAndGet();
                assertEquals(step.valid(), result.ok(), result.message());
            }
            running = false;
            for (Thread client : clients) {
                client.join(Duration.ofSeconds(20));
            }

            assertEquals(List.of(), List.copyOf(failures), "failed requests or transfers");
            assertEquals(RELOADS / 2, reloader.succeeded());
            assertEquals(RELOADS / 2, reloader.failed());
            assertEachArrivalServedByTheConfigurationInForce(steps);
            assertTrue(transfersSpanningReloads.get() >= TRANSFER_CLIENTS,
                    "long transfers across reloads: " + transfersSpanningReloads.get());
            System.out.printf("%d reloads, %d connections, %d keep-alive requests, %d transfers across reloads%n",
                    RELOADS, arrivals.size(), keepAliveRequests.get(), transfersSpanningReloads.get());
        }
    }

    /** An nginx server that answers "/" with its name and serves the big file slowly. */
    private static String server(int port, String name) {
        return """
                server {
                    listen 127.0.0.1:%d;
                    keepalive_requests 100000;
                    location = / {
                        default_type text/plain;
                        return 200 "%s";
                    }
                    location /big.bin {
                        root www;
                        limit_rate 4m;
                        add_header X-Served-By %s;
                    }
                }
                """.formatted(port, name, name);
    }

    private static String routesTo(int port) {
        return "listen: 127.0.0.1:0\nroutes:\n  - { name: site, remote: 127.0.0.1:" + port + " }\n";
    }

    /** Valid and invalid alternating; the valid ones alternate between the upstreams, starting with B. */
    private static List<Step> plan(int portA, int portB) {
        List<String> invalid = List.of(
                "listen: 127.0.0.1:0\nroutes:\n  - { name: site, remote: 127.0.0.1:" + portB + " \n",
                "listen: 127.0.0.1:0\nroutes:\n  - { name: site, remote: 127.0.0.1:" + portB + ", speed: 11 }\n",
                "listen: 127.0.0.1:0\nroutes:\n  - { name: site, remote: 127.0.0.1:99999 }\n",
                "listen: 127.0.0.1:0\nroutes:\n  - { name: site, local: nonesuch }\n");
        List<Step> steps = new ArrayList<>();
        String inForce = "A";
        for (int i = 1; i <= RELOADS; i++) {
            if (i % 2 == 1) {
                inForce = inForce.equals("A") ? "B" : "A";
                steps.add(new Step(routesTo(inForce.equals("A") ? portA : portB), true, inForce));
            } else {
                steps.add(new Step(invalid.get(i / 2 % invalid.size()), false, inForce));
            }
        }
        return steps;
    }

    /** Keep-alive connections one after another, each with several requests that must all reach one upstream. */
    private void keepAlive(InetSocketAddress address) {
        while (running) {
            int completedBefore = reloadsCompleted.get();
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                socket.setSoTimeout(10_000);
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                String first = null;
                for (int i = 0; i < REQUESTS_PER_CONNECTION; i++) {
                    out.write(Http.ascii("GET / HTTP/1.1\r\nHost: load.test\r\n\r\n"));
                    String answer = body(in);
                    if (first == null) {
                        first = answer;
                        arrivals.add(new Arrival(completedBefore, reloadsBegun.get(), answer));
                    } else if (!answer.equals(first)) {
                        failures.add("request " + i + " on a connection to " + first + " answered by " + answer);
                    }
                    keepAliveRequests.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                failures.add("keep-alive request failed: " + e);
            }
        }
    }

    private static String body(InputStream in) throws IOException {
        String head = Http.readHead(in);
        if (Http.status(head) != 200) {
            throw new IOException("answered " + head);
        }
        int length = Integer.parseInt(Http.field(head, "Content-Length"));
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("body cut at " + body.length + " of " + length + " bytes");
        }
        return new String(body, StandardCharsets.ISO_8859_1);
    }

    /** Long transfers one after another, each on a new connection, every byte counted and checked. */
    private void transfers(InetSocketAddress address) {
        while (running) {
            int completedBefore = reloadsCompleted.get();
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                socket.setSoTimeout(10_000);
                InputStream in = new BufferedInputStream(socket.getInputStream());
                socket.getOutputStream().write(Http.ascii("GET /big.bin HTTP/1.1\r\nHost: load.test\r\n"
                        + "Connection: close\r\n\r\n"));
                String head = Http.readHead(in);
                if (Http.status(head) != 200 || !head.contains("Content-Length: " + TRANSFER_BYTES + "\r\n")) {
                    throw new IOException("answered " + head);
                }
                arrivals.add(new Arrival(completedBefore, reloadsBegun.get(), Http.field(head, "X-Served-By")));
                int reloadsAtStart = reloadsCompleted.get();
                CRC32 checksum = new CRC32();
                long received = 0;
                byte[] buffer = new byte[64 * 1024];
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    checksum.update(buffer, 0, read);
                    received += read;
                    transferredBytes.addAndGet(read);
                }
                if (received != TRANSFER_BYTES || checksum.getValue() != expectedChecksum) {
                    failures.add("transfer of " + received + " of " + TRANSFER_BYTES + " bytes, checksum "
                            + (checksum.getValue() == expectedChecksum ? "right" : "wrong"));
                } else if (reloadsCompleted.get() > reloadsAtStart) {
                    transfersSpanningReloads.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                failures.add("transfer failed: " + e);
            }
        }
    }

    /**
     * The configuration a connection was accepted with is one in force at some moment between its connecting and
     * its first answer: after reload {@code completedBefore} and no later than reload {@code begunBeforeAnswer}.
     * Most connections fall between two reloads, where exactly one configuration is possible.
     */
    private void assertEachArrivalServedByTheConfigurationInForce(List<Step> steps) {
        int decidedA = 0;
        int decidedB = 0;
        for (Arrival arrival : arrivals) {
            Set<String> possible = new TreeSet<>();
            for (int reload = arrival.completedBefore(); reload <= arrival.begunBeforeAnswer(); reload++) {
                possible.add(reload == 0 ? "A" : steps.get(reload - 1).inForce());
            }
            assertTrue(possible.contains(arrival.answer()), arrival + " but in force then: " + possible);
            if (possible.size() == 1) {
                decidedA += arrival.answer().equals("A") ? 1 : 0;
                decidedB += arrival.answer().equals("B") ? 1 : 0;
            }
        }
        assertTrue(decidedA >= RELOADS / 2 && decidedB >= RELOADS / 2,
                "connections whose configuration was certain: A " + decidedA + ", B " + decidedB);
    }
}
