import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.streamprox.testkit.Http;

/**
 * StreamProx soak test, one source file run without a build ({@code java Soak.java ...}):
 * <ul>
 *   <li>{@code upstream}: the upstream behind the proxy; prints its port;</li>
 *   <li>{@code drive PROXY_PORT PROXY_PID SECONDS TSV}: a warm-up, the mixed workload through the proxy for SECONDS,
 *       a flood of new connections and a minute of quiet after it, one sample of the proxy process a second into
 *       TSV, and the verdict (exit 1 on lost bytes, errors, unbounded growth, or memory that does not come back
 *       after the flood).</li>
 *   <li>{@code idle PROXY_PORT PROXY_PID heads|tunnels COUNT...}: the proxy's resident memory and heap with that many
 *       idle connections open, step by step (it/soak/memory.sh runs it for docs/operations.md).</li>
 * </ul>
 */
public final class Soak {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "upstream" -> Upstream.serve();
            case "drive" -> System.exit(new Driver(Integer.parseInt(args[1]), Long.parseLong(args[2]),
                    Duration.ofSeconds(Long.parseLong(args[3])), Path.of(args[4])).run() ? 0 : 1);
            case "idle" -> IdleConnections.measure(Integer.parseInt(args[1]), Long.parseLong(args[2]), args[3],
                    Arrays.stream(args, 4, args.length).mapToInt(Integer::parseInt).toArray());
            default -> throw new IllegalArgumentException("usage: java Soak.java upstream | drive PORT PID SECONDS TSV"
                    + " | idle PORT PID heads|tunnels COUNT...");
        }
    }
}

/** The digest both sides compare bodies by. */
final class Digest {

    private Digest() {
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

/**
 * One request per connection: {@code GET /short} answers "ok"; {@code GET /bytes/N} sends N pseudo-random bytes
 * with their SHA-256 in {@code X-Sha256}; {@code POST /upload} answers the SHA-256 of the body it got; a request
 * with {@code Upgrade} gets {@code 101} and then an echo of raw bytes until the client ends.
 */
final class Upstream {

    private static final Map<Integer, String> DIGESTS = new ConcurrentHashMap<>();

    private Upstream() {
    }

    static void serve() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress())) {
            System.out.println(listener.getLocalPort());
            System.out.flush();
            while (true) {
                Socket socket = listener.accept();
                Thread.ofVirtual().start(() -> answer(socket));
            }
        }
    }

    private static void answer(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            String head = Http.readHead(in);
            String path = Http.target(head);
            if (Http.field(head, "Upgrade") != null) {
                out.write(Http.ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\n\r\n"));
                in.transferTo(out);
            } else if (path.startsWith("/bytes/")) {
                int size = Integer.parseInt(path.substring("/bytes/".length()));
                String sha = DIGESTS.computeIfAbsent(size, s -> Digest.sha256(content(s)));
                out.write(Http.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\nX-Sha256: " + sha
                        + "\r\nConnection: close\r\n\r\n"));
                out.write(content(size));
            } else if (path.equals("/upload")) {
                byte[] body = in.readNBytes(Integer.parseInt(Http.field(head, "Content-Length")));
                small(out, Digest.sha256(body));
            } else {
                small(out, "ok");
            }
        } catch (IOException | RuntimeException e) {
            // Abusive clients reset and vanish on purpose; the driver judges every outcome it cares about.
        }
    }

    /** The same bytes for the same size, so each size's digest is computed once. */
    private static byte[] content(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static void small(OutputStream out, String body) throws IOException {
        out.write(Http.ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
                + body));
    }
}

/**
 * The proxy's memory against idle connections: opens connections in steps up to each count and holds them, each
 * either half a head ({@code heads}: the head timeout must be long) or a tunnel to the upstream ({@code tunnels}: an
 * upgraded connection, silent after the 101), and after each step, once the proxy has been idle long enough for a
 * periodic collection, prints its resident memory and used heap.
 */
final class IdleConnections {

    private static final Duration SETTLE = Duration.ofSeconds(15);

    private IdleConnections() {
    }

    static void measure(int proxyPort, long pid, String kind, int[] counts) throws Exception {
        byte[] head = Http.ascii(switch (kind) {
            case "heads" -> "GET /held HTTP/1.1\r\nHost: soak\r\n";
            case "tunnels" -> "GET /ws HTTP/1.1\r\nHost: soak\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
            default -> throw new IllegalArgumentException("heads or tunnels, not " + kind);
        });
        // The same kind of connection a few hundred times first, so the steps measure connections, not warm-up.
        List<Socket> open = new ArrayList<>();
        open(proxyPort, kind, head, open, 500);
        for (Socket socket : open) {
            socket.close();
        }
        open.clear();
        System.out.printf("%-8s %11s %8s %9s %22s%n", kind, "connections", "rss MB", "heap MB", "rss per connection KiB");
        long baseKb = 0;
        for (int count : java.util.stream.IntStream.concat(java.util.stream.IntStream.of(0), Arrays.stream(counts))
                .toArray()) {
            open(proxyPort, kind, head, open, count);
            Thread.sleep(SETTLE);
            long rssKb = vmStatus(pid, "VmRSS:");
            baseKb = count == 0 ? rssKb : baseKb;
            System.out.printf("%-8s %,11d %8d %9.1f %22s%n", kind, count, rssKb / 1024, usedHeapKb(pid) / 1024.0,
                    count == 0 ? "-" : String.format("%.1f", (rssKb - baseKb) / (double) count));
        }
        for (Socket socket : open) {
            socket.close();
        }
    }

    /** Opens connections until {@code open} holds {@code count}; a tunnel counts once the upstream's 101 is in. */
    private static void open(int proxyPort, String kind, byte[] head, List<Socket> open, int count)
            throws IOException {
        List<Socket> added = new ArrayList<>();
        while (open.size() + added.size() < count) {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxyPort);
            socket.getOutputStream().write(head);
            added.add(socket);
        }
        for (Socket socket : added) {
            if (kind.equals("tunnels")) {
                socket.setSoTimeout(30_000);
                int status = Http.status(Http.readHead(socket.getInputStream()));
                if (status != 101) {
                    throw new IOException("tunnel answered " + status);
                }
            }
        }
        open.addAll(added);
    }

    private static long vmStatus(long pid, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith(field))
                .mapToLong(line -> Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]))
                .findFirst().orElseThrow();
    }

    /** Young and old generation in use, from one line of jstat. */
    private static long usedHeapKb(long pid) throws IOException, InterruptedException {
        Process jstat = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstat").toString(), "-gc",
                Long.toString(pid)).start();
        List<String> lines = new String(jstat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).lines()
                .toList();
        jstat.waitFor();
        List<String> columns = List.of(lines.get(0).trim().split("\\s+"));
        String[] values = lines.get(1).trim().split("\\s+");
        return Math.round(Stream.of("S0U", "S1U", "EU", "OU")
                .mapToDouble(column -> Double.parseDouble(values[columns.indexOf(column)])).sum());
    }
}

/** What the workload has done and what went wrong; a lost or altered byte is counted apart from other errors. */
final class Tally {

    final AtomicLong exchanges = new AtomicLong();
    final AtomicLong bytesVerified = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    private final List<String> firstProblems = new ArrayList<>();

    void problem(AtomicLong counter, String what) {
        counter.incrementAndGet();
        synchronized (firstProblems) {
            if (firstProblems.size() < 10) {
                firstProblems.add(what);
            }
        }
    }

    List<String> firstProblems() {
        synchronized (firstProblems) {
            return List.copyOf(firstProblems);
        }
    }
}

/** The kinds of client the soak runs, each checking the outcome it must get. */
final class Clients {

    private static final int MAX_BULK = 4 * 1024 * 1024;

    private final int proxyPort;
    private final Tally tally;

    Clients(int proxyPort, Tally tally) {
        this.proxyPort = proxyPort;
        this.tally = tally;
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxyPort);
        socket.setSoTimeout(30_000);
        return socket;
    }

    void shortRequest() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(Http.ascii("GET /short HTTP/1.1\r\nHost: soak\r\n\r\n"));
            String head = Http.readHead(socket.getInputStream());
            expect(Http.status(head) == 200 && new String(socket.getInputStream().readAllBytes()).equals("ok"),
                    "short request: " + head);
        }
    }

    /**
     * A request to the proxy's own local app: Jetty keeps the connection open after answering, so the client reads
     * the body by its length and leaves, as browsers and load tools do.
     */
    void localApp() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(Http.ascii("GET /bar HTTP/1.1\r\nHost: soak\r\n\r\n"));
            String head = Http.readHead(socket.getInputStream());
            String length = Http.field(head, "Content-Length");
            byte[] body = length == null ? new byte[0]
                    : socket.getInputStream().readNBytes(Integer.parseInt(length));
            expect(Http.status(head) == 200 && new String(body, StandardCharsets.US_ASCII).equals("BAR!"),
                    "local app: " + head);
        }
    }

    /** Half a head, then silence: the proxy must cut it at its head timeout, with 408 or a close. */
    void heldHead() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(Http.ascii("GET /held HTTP/1.1\r\nHost: soak\r\n"));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            expect(answer.isEmpty() || answer.startsWith("HTTP/1.1 408 "), "held head answered " + answer);
        } catch (java.net.SocketException e) {
            // A cut that arrives as a reset is defined too.
        }
    }

    void download() throws IOException {
        int size = ThreadLocalRandom.current().nextInt(1, MAX_BULK);
        try (Socket socket = connect()) {
            socket.getOutputStream().write(Http.ascii("GET /bytes/" + size + " HTTP/1.1\r\nHost: soak\r\n\r\n"));
            String head = Http.readHead(socket.getInputStream());
            byte[] body = socket.getInputStream().readAllBytes();
            verify(body.length == size && Digest.sha256(body).equals(Http.field(head, "X-Sha256")), size,
                    "download of " + size + " got " + body.length + " bytes");
        }
    }

    void upload() throws IOException {
        byte[] body = new byte[ThreadLocalRandom.current().nextInt(1, MAX_BULK)];
        ThreadLocalRandom.current().nextBytes(body);
        try (Socket socket = connect()) {
            socket.getOutputStream().write(Http.ascii("POST /upload HTTP/1.1\r\nHost: soak\r\nContent-Length: "
                    + body.length + "\r\n\r\n"));
            socket.getOutputStream().write(body);
            Http.readHead(socket.getInputStream());
            String digest = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            verify(digest.equals(Digest.sha256(body)), body.length, "upload of " + body.length + " bytes");
        }
    }

    /** An upgraded connection carrying 20 echoed messages, then a half-close the echo must follow. */
    void upgradedEcho() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(Http.ascii("GET /ws HTTP/1.1\r\nHost: soak\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n\r\n"));
            String head = Http.readHead(socket.getInputStream());
            expect(Http.status(head) == 101, "upgrade: " + head);
            for (int i = 0; i < 20; i++) {
                byte[] message = new byte[ThreadLocalRandom.current().nextInt(1, 16 * 1024)];
                ThreadLocalRandom.current().nextBytes(message);
                socket.getOutputStream().write(message);
                verify(Arrays.equals(message, socket.getInputStream().readNBytes(message.length)), message.length,
                        "echo of " + message.length + " bytes");
            }
            socket.shutdownOutput();
            expect(socket.getInputStream().read() == -1, "echo did not end after the half-close");
        }
    }

    /** A head dribbled a byte every 300 ms: the proxy must cut it at its head timeout, with 408 or a close. */
    void slowloris(Duration headTimeout) throws IOException, InterruptedException {
        byte[] head = Http.ascii("GET /slow HTTP/1.1\r\nHost: soak\r\nX-Slow: " + "s".repeat(200));
        long giveUp = System.nanoTime() + headTimeout.multipliedBy(3).toNanos();
        try (Socket socket = connect()) {
            for (int i = 0; socket.getInputStream().available() == 0 && System.nanoTime() < giveUp; i++) {
                socket.getOutputStream().write(head[i % head.length]);
                Thread.sleep(300);
            }
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            expect(answer.isEmpty() || answer.startsWith("HTTP/1.1 408 "), "slow head answered " + answer);
        } catch (java.net.SocketException e) {
            // Cut while writing: the reset is a defined outcome for a client past its deadline.
        }
    }

    /** Garbage, an oversized head, or a download dropped with a reset half-way: each has its defined outcome. */
    void abuse() throws IOException {
        try (Socket socket = connect()) {
            switch (ThreadLocalRandom.current().nextInt(3)) {
                case 0 -> {
                    socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5});
                    expect(socket.getInputStream().read() == -1, "TLS bytes were answered");
                }
                case 1 -> {
                    socket.getOutputStream().write(Http.ascii("GET /big HTTP/1.1\r\nHost: soak\r\nX-Big: "
                            + "b".repeat(20_000) + "\r\n\r\n"));
                    expect(Http.status(Http.readHead(socket.getInputStream())) == 431, "oversized head not 431");
                }
                default -> {
                    socket.getOutputStream().write(Http.ascii("GET /bytes/" + MAX_BULK + " HTTP/1.1\r\nHost: soak\r\n\r\n"));
                    socket.getInputStream().readNBytes(64 * 1024);
                    socket.setSoLinger(true, 0);
                }
            }
        } catch (java.net.SocketException e) {
            // The oversized head's rest may meet the proxy's close: a reset is defined there too.
        }
    }

    private void expect(boolean ok, String what) {
        tally.exchanges.incrementAndGet();
        if (!ok) {
            tally.problem(tally.errors, what);
        }
    }

    private void verify(boolean intact, long bytes, String what) {
        tally.exchanges.incrementAndGet();
        if (intact) {
            tally.bytesVerified.addAndGet(bytes);
        } else {
            tally.problem(tally.lost, what);
        }
    }
}

/**
 * Samples the proxy process once a second: used heap (jstat), resident memory, open descriptors and OS threads
 * (/proc).
 */
final class Sampler implements AutoCloseable {

    /** One second's figures, and the phase of the soak it was taken in. */
    record Sample(long second, String phase, long heapKb, long rssKb, long fds, long threads, long exchanges,
                  long errors, long lost) {
        static final String HEADER = "second\tphase\theap_kb\trss_kb\tfds\tthreads\texchanges\terrors\tlost";

        String tsv() {
            return second + "\t" + phase + "\t" + heapKb + "\t" + rssKb + "\t" + fds + "\t" + threads + "\t"
                    + exchanges + "\t" + errors + "\t" + lost;
        }
    }

    private final long pid;
    private final Process jstat;
    private final BufferedReader jstatLines;
    private final List<String> columns;

    Sampler(long pid) throws IOException {
        this.pid = pid;
        jstat = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstat").toString(), "-gc",
                Long.toString(pid), "1000").start();
        jstatLines = new BufferedReader(new InputStreamReader(jstat.getInputStream(), StandardCharsets.US_ASCII));
        columns = List.of(jstatLines.readLine().trim().split("\\s+"));
    }

    /** Blocks until jstat's next line, about a second after the last. */
    Sample next(long second, String phase, Tally tally) throws IOException {
        String[] values = jstatLines.readLine().trim().split("\\s+");
        double heap = Stream.of("S0U", "S1U", "EU", "OU")
                .mapToDouble(column -> Double.parseDouble(values[columns.indexOf(column)])).sum();
        return new Sample(second, phase, Math.round(heap), status("VmRSS:"), descriptors(), status("Threads:"),
                tally.exchanges.get(), tally.errors.get(), tally.lost.get());
    }

    long descriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        }
    }

    /** Resident memory now, in KiB. */
    long rssKb() throws IOException {
        return status("VmRSS:");
    }

    /** The most resident memory the process has had since it started, in KiB. */
    long peakRssKb() throws IOException {
        return status("VmHWM:");
    }

    /** A number from /proc/PID/status: a count, or KiB for the Vm fields. */
    private long status(String field) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith(field))
                .mapToLong(line -> Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]))
                .findFirst().orElseThrow();
    }

    @Override
    public void close() {
        jstat.destroy();
    }
}

/** Whether a measure stayed bounded: the last quarter's median against the second quarter's. */
record Growth(String name, long secondQuarter, long lastQuarter, double factor, long slack) {

    static Growth of(String name, List<Long> series, double factor, long slack) {
        int n = series.size();
        return new Growth(name, median(series.subList(n / 4, n / 2)), median(series.subList(3 * n / 4, n)), factor,
                slack);
    }

    boolean bounded() {
        return lastQuarter <= secondQuarter * factor + slack;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    @Override
    public String toString() {
        return String.format("%-8s second quarter %8d  last quarter %8d  %s", name, secondQuarter, lastQuarter,
                bounded() ? "bounded" : "GROWING (limit " + Math.round(secondQuarter * factor + slack) + ")");
    }
}

/** Whether resident memory came back after the flood: at the end of the quiet minute against the pre-load value. */
record MemoryReturn(long beforeKb, long peakKb, long afterKb, long afterSeconds) {

    /** How far above its pre-load value resident memory may be once the flood is a minute past. */
    static final double LIMIT = 0.25;

    double growth() {
        return (double) afterKb / beforeKb - 1;
    }

    boolean returned() {
        return growth() <= LIMIT;
    }

    @Override
    public String toString() {
        return String.format("soak: rss before %d MB, peak %d MB, %d s after %d MB (%+.0f %%)%s", beforeKb / 1024,
                peakKb / 1024, afterSeconds, afterKb / 1024, growth() * 100,
                returned() ? "" : ": NOT RETURNED (limit +" + Math.round(LIMIT * 100) + " %)");
    }
}

/**
 * Runs the soak's phases while sampling, then judges: a warm-up of the mixed workload; a pause, whose resident
 * memory is the pre-load value; the mixed workload for the duration; a flood of new connections; and a quiet
 * minute, at whose end resident memory must be back within 25 % of the pre-load value.
 */
final class Driver {

    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(2);
    /** After the load stops, descriptors must come back to within this many of the idle proxy's. */
    private static final long FD_RETURN_SLACK = 20;
    /** Long enough to use every path once and have the JIT compile the hot ones. */
    private static final Duration WARM_UP = Duration.ofSeconds(10);
    /** Quiet after the warm-up before the pre-load sample, so it is not taken with connections still closing. */
    private static final Duration SETTLE = Duration.ofSeconds(3);
    private static final Duration FLOOD = Duration.ofSeconds(15);
    /** Connections opened one after the other by each of this many threads during the flood. */
    private static final int FLOODERS = 400;
    /** Connections sitting on half a head during the flood, each renewed when the proxy cuts it. */
    private static final int HOLDERS = 400;
    private static final Duration AFTER_FLOOD = Duration.ofSeconds(60);

    private final long pid;
    private final Duration duration;
    private final Path tsv;
    private final Tally tally = new Tally();
    private final Clients clients;
    private final List<Sampler.Sample> samples = new ArrayList<>();
    private long second;

    Driver(int proxyPort, long pid, Duration duration, Path tsv) {
        this.pid = pid;
        this.duration = duration;
        this.tsv = tsv;
        this.clients = new Clients(proxyPort, tally);
    }

    /** A client kind repeated until the end, with a pause between rounds (its pace, not synchronisation). */
    private interface Round {
        void run() throws Exception;
    }

    /** Clients that repeat their rounds until stopped. */
    private final class Workload {

        private final List<Thread> workers = new ArrayList<>();
        private volatile boolean running = true;

        Workload repeat(String name, int count, long pauseMillis, Round round) {
            for (int i = 0; i < count; i++) {
                workers.add(Thread.ofVirtual().name(name + "-" + i).start(() -> {
                    while (running) {
                        try {
                            round.run();
                            Thread.sleep(pauseMillis);
                        } catch (Exception e) {
                            tally.problem(tally.errors, name + ": " + e);
                        }
                    }
                }));
            }
            return this;
        }

        void stop() throws InterruptedException {
            running = false;
            for (Thread worker : workers) {
                worker.join(Duration.ofSeconds(30));
            }
        }
    }

    private Workload mixed() {
        return new Workload()
                .repeat("short", 4, 5, clients::shortRequest)
                .repeat("local", 2, 5, clients::localApp)
                .repeat("download", 1, 0, clients::download)
                .repeat("upload", 1, 0, clients::upload)
                .repeat("upgraded", 2, 10, clients::upgradedEcho)
                .repeat("slowloris", 20, 0, () -> clients.slowloris(HEAD_TIMEOUT))
                .repeat("abuse", 1, 20, clients::abuse);
    }

    /** New connections as fast as they go, half through the upstream and half to a local app, and held heads. */
    private Workload flood() {
        return new Workload()
                .repeat("flood-upstream", FLOODERS / 2, 0, clients::shortRequest)
                .repeat("flood-local", FLOODERS / 2, 0, clients::localApp)
                .repeat("flood-held", HOLDERS, 0, clients::heldHead);
    }

    /** Samples once a second (each sample waits for jstat's next line) for as long as the phase lasts. */
    private void samplePhase(Sampler sampler, PrintWriter out, String phase, Duration length) throws IOException {
        long end = System.nanoTime() + length.toNanos();
        while (System.nanoTime() < end) {
            Sampler.Sample sample = sampler.next(++second, phase, tally);
            samples.add(sample);
            out.println(sample.tsv());
            out.flush();
        }
    }

    boolean run() throws Exception {
        try (Sampler sampler = new Sampler(pid); PrintWriter out = new PrintWriter(Files.newBufferedWriter(tsv))) {
            out.println(Sampler.Sample.HEADER);
            long idleFds = sampler.descriptors();

            Workload warmUp = mixed();
            samplePhase(sampler, out, "warm-up", WARM_UP);
            warmUp.stop();
            awaitDescriptorsBelow(sampler, idleFds + FD_RETURN_SLACK);
            samplePhase(sampler, out, "pause", SETTLE);
            long beforeKb = sampler.rssKb();

            Workload load = mixed();
            samplePhase(sampler, out, "load", duration);
            load.stop();
            long settledFds = awaitDescriptorsBelow(sampler, idleFds + FD_RETURN_SLACK);

            Workload flood = flood();
            samplePhase(sampler, out, "flood", FLOOD);
            flood.stop();
            long afterFloodFds = awaitDescriptorsBelow(sampler, idleFds + FD_RETURN_SLACK);
            samplePhase(sampler, out, "after", AFTER_FLOOD);
            MemoryReturn memory = new MemoryReturn(beforeKb, sampler.peakRssKb(), sampler.rssKb(),
                    AFTER_FLOOD.toSeconds());
            return judge(idleFds, Math.max(settledFds, afterFloodFds), memory);
        }
    }

    private static long awaitDescriptorsBelow(Sampler sampler, long limit) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long fds = sampler.descriptors();
        while (fds > limit && System.nanoTime() < deadline) {
            Thread.sleep(200);
            fds = sampler.descriptors();
        }
        return fds;
    }

    private boolean judge(long idleFds, long settledFds, MemoryReturn memory) {
        List<Sampler.Sample> load = samples.stream().filter(sample -> sample.phase().equals("load")).toList();
        List<Growth> growth = List.of(
                Growth.of("heap_kb", load.stream().map(Sampler.Sample::heapKb).toList(), 1.5, 64 * 1024),
                Growth.of("fds", load.stream().map(Sampler.Sample::fds).toList(), 1.2, 64),
                Growth.of("threads", load.stream().map(Sampler.Sample::threads).toList(), 1.2, 8));
        boolean fdsReturned = settledFds <= idleFds + FD_RETURN_SLACK;
        System.out.printf("exchanges %d, bytes verified %d, errors %d, lost %d%n", tally.exchanges.get(),
                tally.bytesVerified.get(), tally.errors.get(), tally.lost.get());
        growth.forEach(System.out::println);
        System.out.printf("fds      idle %d, after the load and the flood %d: %s%n", idleFds, settledFds,
                fdsReturned ? "returned" : "NOT RETURNED");
        System.out.println(memory);
        tally.firstProblems().forEach(problem -> System.out.println("problem: " + problem));
        return tally.errors.get() == 0 && tally.lost.get() == 0 && fdsReturned
                && growth.stream().allMatch(Growth::bounded) && memory.returned();
    }
}
