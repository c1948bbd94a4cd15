import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New connections as fast as they go, one request each: what wrk's Connection: close test does, with a PROXY v1
 * header in the same write as the request when asked (wrk refuses a request that does not start with a method). So
 * a listener that accepts PROXY headers and one that does not are fed the same bytes in the same segments, the
 * header aside.
 *
 * <pre>java ConnectionChurn PORT SECONDS CONNECTIONS [proxy-v1]</pre>
 *
 * Prints {@code CHURN requests failures seconds}.
 *
 * <pre>java ConnectionChurn alternate PID A_PORT B_PORT SECONDS CONNECTIONS [proxy-v1]</pre>
 *
 * Two listeners of one StreamProx process (PID), A and B, in turns of {@value #PHASE_SECONDS} s (A, B, B, A, ... so
 * that a drift hits both alike) for SECONDS each in all; the process's CPU time is read from /proc around each turn.
 * With {@code proxy-v1} B's requests carry the PROXY header (a plain listener against one taking PROXY headers); else
 * both get the same bytes (e.g. a route to one server against a route to a pool). One JVM serves both, so its code
 * compiled once for both and the same warmth: what differs is the listeners' configuration. Prints
 * {@code ALTERNATE a-requests a-cpu-ticks b-requests b-cpu-ticks failures}.
 */
public final class ConnectionChurn {

    private static final long PHASE_SECONDS = 2;

    /** Requests answered and failed. */
    private record Counts(long done, long failed) {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("alternate")) {
            alternate(Long.parseLong(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Long.parseLong(args[4]), Integer.parseInt(args[5]), args.length > 6 && args[6].equals("proxy-v1"));
            return;
        }
        int port = Integer.parseInt(args[0]);
        long seconds = Long.parseLong(args[1]);
        int connections = Integer.parseInt(args[2]);
        boolean proxyHeader = args.length > 3 && args[3].equals("proxy-v1");
        long start = System.nanoTime();
        Counts counts = churn(port, proxyHeader, seconds * 1_000_000_000L, connections);
        System.out.printf("CHURN %d %d %.3f%n", counts.done(), counts.failed(), (System.nanoTime() - start) / 1e9);
    }

    private static void alternate(long pid, int portA, int portB, long seconds, int connections,
                                  boolean proxyHeaderOnB) throws Exception {
        long[] requests = new long[2];
        long[] ticks = new long[2];
        long failed = 0;
        long turns = Math.max(2, 2 * Math.round(seconds / (double) PHASE_SECONDS));
        for (long turn = 0; turn < turns; turn++) {
            // 0, 1, 1, 0, 0, 1, 1, 0, ...
            int side = (int) (((turn + 1) / 2) % 2);
            long before = cpuTicks(pid);
            Counts counts = churn(side == 0 ? portA : portB, side == 1 && proxyHeaderOnB,
                    PHASE_SECONDS * 1_000_000_000L, connections);
            ticks[side] += cpuTicks(pid) - before;
            requests[side] += counts.done();
            failed += counts.failed();
        }
        System.out.printf("ALTERNATE %d %d %d %d %d%n", requests[0], ticks[0], requests[1], ticks[1], failed);
    }

    /** utime + stime of the whole process, in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static Counts churn(int port, boolean proxyHeader, long nanos, int connections)
            throws InterruptedException {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        String request = "GET /small HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        byte[] bytes = ((proxyHeader ? "PROXY TCP4 127.0.0.7 127.0.0.1 40000 " + port + "\r\n" : "") + request)
                .getBytes(StandardCharsets.ISO_8859_1);

        long end = System.nanoTime() + nanos;
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                byte[] buffer = new byte[4096];
                while (System.nanoTime() < end) {
                    try (Socket socket = new Socket()) {
                        socket.connect(target);
                        socket.setSoTimeout(10_000);
                        socket.getOutputStream().write(bytes);
                        InputStream in = socket.getInputStream();
                        // "HTTP/1.1 2": the status line comes in the first read.
                        boolean ok = in.read(buffer) > 9 && buffer[9] == '2';
                        while (in.read(buffer) > 0) {
                            // the rest of the answer, until the proxy closes
                        }
                        (ok ? done : failed).incrementAndGet();
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return new Counts(done.get(), failed.get());
    }
}
