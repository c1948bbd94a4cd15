package org.streamprox.proxy.hostile;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.server.StreamProx;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;

/**
 * 20,000 connections opened and dropped as fast as the machine allows, in waves of 1,000 held at once (each
 * costs the test and the engine one descriptor each, so at most 2,000 at a time under the 20,000 limit). A quarter
 * close at once, a quarter reset at once, a quarter send TLS-like garbage, a quarter send half a request line and
 * reset. Ordinary requests keep succeeding during and after, and the process's descriptors and platform threads
 * come back to what they were before (the engine runs in this JVM, so /proc/self is the engine's).
 */
class FloodTest {

    private static final int CONNECTIONS = 20_000;
    private static final int WAVE = 1_000;
    private static final int FLOODERS = 4;
    /** Descriptors and threads the JVM itself may open meanwhile (class loading, GC, Awaitility's poller). */
    private static final int FD_TOLERANCE = 16;
    private static final int THREAD_TOLERANCE = 4;
    private static final byte[] TLS_LIKE = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
    private static final byte[] HALF_A_REQUEST_LINE = Http.ascii("GET /flood HT");

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @Test
    void theProxyKeepsServingAndGivesBackEveryDescriptorAndThread() throws Exception {
        try (LoopbackServer upstream = OrdinaryTraffic.upstream()) {
            StreamProx server = proxy.start(ProxyExtension.everythingTo(OrdinaryTraffic.routeTo(upstream)));
            OrdinaryTraffic.request(proxy);
            proxy.awaitQuiet();
            long fdsBefore = openDescriptors();
            int threadsBefore = platformThreads();

            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicInteger servedDuringFlood = new AtomicInteger();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<?> ordinary = threads.submit(() -> {
                    while (flooding.get()) {
                        OrdinaryTraffic.request(proxy);
                        servedDuringFlood.incrementAndGet();
                    }
                    return null;
                });
                List<Future<?>> flooders = new ArrayList<>();
                for (int f = 0; f < FLOODERS; f++) {
                    flooders.add(threads.submit(() -> {
                        floodShare();
                        return null;
                    }));
                }
                for (Future<?> flooder : flooders) {
                    flooder.get(60, TimeUnit.SECONDS);
                }
                flooding.set(false);
                ordinary.get(10, TimeUnit.SECONDS);
            }
            assertTrue(servedDuringFlood.get() > 0, "no ordinary request completed during the flood");
            OrdinaryTraffic.request(proxy);

            proxy.awaitQuiet();
            assertEquals(0, server.admittedConnections());
            await("descriptors back to " + fdsBefore).atMost(Duration.ofSeconds(15))
                    .until(() -> openDescriptors() <= fdsBefore + FD_TOLERANCE);
            await("platform threads back to " + threadsBefore).atMost(Duration.ofSeconds(15))
                    .until(() -> platformThreads() <= threadsBefore + THREAD_TOLERANCE);
        }
    }

    /** This flooder's share of the connections, a wave at a time. */
    private void floodShare() throws IOException {
        for (int opened = 0; opened < CONNECTIONS / FLOODERS; opened += WAVE / FLOODERS) {
            List<Socket> wave = new ArrayList<>();
            for (int i = 0; i < WAVE / FLOODERS; i++) {
                wave.add(openAndMisbehave(opened + i));
            }
            for (Socket socket : wave) {
                socket.close();
            }
        }
    }

    private Socket openAndMisbehave(int n) throws IOException {
        Socket socket = new Socket(proxy.server().localAddress().getAddress(),
                proxy.server().localAddress().getPort());
        switch (n % 4) {
            case 0 -> { } // Closed silently with the wave.
            case 1 -> socket.setSoLinger(true, 0);
            case 2 -> socket.getOutputStream().write(TLS_LIKE);
            default -> {
                socket.getOutputStream().write(HALF_A_REQUEST_LINE);
                socket.setSoLinger(true, 0);
            }
        }
        return socket;
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** Platform threads only: virtual threads are not counted by the thread bean. */
    private static int platformThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }
}
