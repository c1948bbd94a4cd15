package org.streamprox.demos;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.get;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.testkit.Command;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.TestNames;
import picocli.CommandLine;

/** The command line as users run it: a separate JVM, its exit code, its output, and SIGTERM. */
class MainProcessTest {

    @RegisterExtension
    final StreamProxProcesses processes = new StreamProxProcesses();

    @TempDir
    Path dir;

    private final List<LoopbackServer> upstreams = new ArrayList<>();

    @AfterEach
    void closeUpstreams() throws Exception {
        for (LoopbackServer upstream : upstreams) {
            upstream.close();
        }
    }

    private Process start(String... args) throws IOException {
        return start(List.of(), args);
    }

    private Process start(List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(StreamProxProcesses.java());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return processes.start(new ProcessBuilder(command).redirectErrorStream(true));
    }

    private static String output(Process process) throws Exception {
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return text;
    }

    @Test
    void aBadConfigurationStopsStartupNamingFileLineAndField() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "listen: 127.0.0.1:0\nroutes:\n  - remote: 127.0.0.1:80\n    match: { path: }\n");
        Process process = start("--config", config.toString());
        String out = output(process);
        assertEquals(Main.CONFIG_ERROR, process.exitValue());
        assertTrue(out.contains(config + ":4: routes[0].match.path: must not be empty"), out);
    }

    @Test
    void aBadListenAddressIsRefused() throws Exception {
        Process process = start("--listen", "localhost");
        String out = output(process);
        assertEquals(Main.CONFIG_ERROR, process.exitValue());
        assertTrue(out.contains("--listen: expected HOST:PORT"), out);
    }

    @Test
    void oneListenAddressForTwoListenersIsRefused() throws Exception {
        Process process = start("--listen", "127.0.0.1:0");
        String out = output(process);
        assertEquals(Main.CONFIG_ERROR, process.exitValue());
        assertTrue(out.contains("--listen: the configuration has 2 listeners; give an address for each"), out);
    }

    @Test
    void theBuiltInConfigurationServesTheDemosInPlainAndOverTlsWithTheAdminListenerBeside() throws Exception {
        Process process = start("--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0");
        try {
            ProcessLines lines = ProcessLines.follow(process);
            int plain = lines.awaitPort();
            int tls = lines.awaitPort();
            int admin = lines.awaitAdminPort();
            for (String url : List.of("http://127.0.0.1:" + plain + "/", "https://localhost:" + tls + "/")) {
                Command page = Command.run("curl", "-sS", "--max-time", "20",
                        "--insecure", "--resolve", "localhost:" + tls + ":127.0.0.1", url);
                assertTrue(page.output().contains("<title>StreamProx demos</title>"), url + ": " + page.output());
            }
            assertEquals(200, status("http://127.0.0.1:" + admin + "/healthz"));
            String metrics = Command.succeed("curl", "-sS", "--max-time", "20", "http://127.0.0.1:" + admin + "/metrics");
            assertTrue(metrics.contains("\njetty_server_requests_seconds_count{"), metrics);
        } finally {
            process.toHandle().destroy();
            assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aPortInUseIsReportedWithoutAStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process process = start("--listen", "127.0.0.1:" + taken.getLocalPort(), "--listen", "127.0.0.1:0",
                    "--admin", "off");
            String out = output(process);
            assertEquals(Main.CANNOT_LISTEN, process.exitValue());
            assertTrue(out.contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), out);
            assertFalse(out.contains("\tat "), out);
        }
    }

    @Test
    void anAdminPortInUseIsReportedAsTheAdminListeners() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process process = start("--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0",
                    "--admin", "127.0.0.1:" + taken.getLocalPort());
            String out = output(process);
            assertEquals(Main.CANNOT_LISTEN, process.exitValue());
            assertTrue(out.contains("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (the admin listener)"),
                    out);
            assertFalse(out.contains("\tat "), out);
        }
    }

    @Test
    void theAdminListenerOnAListenersAddressIsRefused() throws Exception {
        Process process = start("--listen", "127.0.0.1:18080", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:18080");
        String out = output(process);
        assertEquals(Main.CONFIG_ERROR, process.exitValue());
        assertTrue(out.contains("--admin: the admin listener needs an address of its own"), out);
    }

    @Test
    void versionAndHelpAnswerAndExit() throws Exception {
        Process version = start("--version");
        assertTrue(output(version).startsWith("streamprox "));
        assertEquals(0, version.exitValue());
        Process help = start("--help");
        String usage = output(help);
        assertEquals(0, help.exitValue());
        assertTrue(usage.contains("--config=FILE") && usage.contains("--listen=HOST:PORT"), usage);
    }

    @Test
    void sigtermTurnsNotReadyThenDrainsInFlightConnectionsAndExitsZero() throws Exception {
        CountDownLatch requestArrived = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            requestArrived.countDown();
            finish.await();
            socket.getOutputStream().write("done".getBytes(StandardCharsets.US_ASCII));
        })) {
            Path config = dir.resolve("drain.yaml");
            Files.writeString(config, "listen: 127.0.0.1:0\nadmin: { listen: 127.0.0.1:0 }\ndrain-timeout: 20s\n"
                    + "routes:\n  - remote: 127.0.0.1:" + upstream.port() + "\n");
            Process process = start("--config", config.toString());
            ProcessLines lines = ProcessLines.follow(process);
            int port = lines.awaitPort();
            String readyz = "http://127.0.0.1:" + lines.awaitAdminPort() + "/readyz";

            try (Socket client = new Socket("127.0.0.1", port)) {
                client.getOutputStream().write(Http.ascii(get("/slow")));
                assertTrue(requestArrived.await(10, TimeUnit.SECONDS));
                assertEquals(200, status(readyz));
                process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
                await("503 from /readyz").atMost(Duration.ofSeconds(20)).until(() -> status(readyz) == 503);
                // The request in flight is still open, waiting for its answer: nothing was cut.
                client.setSoTimeout(200);
                assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read());
                client.setSoTimeout(0);
                finish.countDown();
                assertEquals("done", Http.readAll(client));
                client.shutdownOutput();
            }
            assertTrue(process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue());
        }
    }

    @Test
    void checkValidatesWithoutBindingAndExits0Or2() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // The port is taken: a check that bound it would fail.
            Path good = Files.writeString(dir.resolve("good.yaml"), "listen: 127.0.0.1:" + taken.getLocalPort()
                    + "\nroutes:\n  - local: foo\n");
            Process ok = start("--check", "--config", good.toString());
            assertEquals("streamprox: " + good + ": configuration OK", output(ok).strip());
            assertEquals(0, ok.exitValue());
        }
        Path missingKey = Files.writeString(dir.resolve("bad.yaml"), """
                listen: 127.0.0.1:0
                tls: { certificates: [ { cert: nonesuch.crt, key: nonesuch.key } ] }
                routes:
                  - local: foo
                """);
        Process bad = start("--check", "--config", missingKey.toString());
        String out = output(bad);
        assertEquals(Main.CONFIG_ERROR, bad.exitValue());
        assertTrue(out.startsWith("streamprox: " + missingKey + ":2: tls: ") && out.contains("nonesuch.crt"), out);
        assertEquals(1, out.lines().count(), out);

        Process builtIn = start("--check");
        assertEquals("streamprox: built-in streamprox-default.yaml: configuration OK", output(builtIn).strip());
        assertEquals(0, builtIn.exitValue());
    }

    @Test
    void watchWithoutAFileIsRefused() {
        assertEquals(Main.CONFIG_ERROR, new CommandLine(new Main()).execute("--watch"));
    }

    @Test
    void servingTurnsOnG1sPeriodicCollectionUnlessTheCommandLineChoseAnInterval() throws Exception {
        // G1 named each time: on a machine with one CPU or under 1792 MB the JVM would pick Serial.
        assertEquals(Long.toString(IdleHeapCollection.INTERVAL_MILLIS), periodicCollectionWhileServing("-XX:+UseG1GC"));
        assertEquals("0", periodicCollectionWhileServing("-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=0"));
        assertEquals("3000", periodicCollectionWhileServing("-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=3000"));
        assertEquals("0", periodicCollectionWhileServing("-XX:+UseSerialGC"));
    }

    /** G1PeriodicGCInterval of a JVM serving the demos, started with these options. */
    private String periodicCollectionWhileServing(String... jvmOptions) throws Exception {
        Process process = start(List.of(jvmOptions), "--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0",
                "--admin", "off");
        ProcessLines.follow(process).awaitPort();
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), "VM.flags", "-all").redirectErrorStream(true).start();
        String flags = output(jcmd);
        process.toHandle().destroy();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        Matcher interval = Pattern.compile("\\bG1PeriodicGCInterval\\s*=\\s*(\\d+)").matcher(flags);
        assertTrue(interval.find(), flags);
        return interval.group(1);
    }

    @Test
    void aPoolFollowsAServerThatMovesWithinItsResolveIntervalThoughTheJdkWouldKeepTheOldAddress() throws Exception {
        int port = startBehindANameThatMoves(List.of());

        // The JDK's own cache would keep the old address for 30 s.
        await().atMost(Duration.ofSeconds(10)).until(() -> answeredBy(port), "127.0.0.3"::equals);
    }

    @Test
    void aTimeTheOperatorGaveTheJdksNameCacheStands() throws Exception {
        int port = startBehindANameThatMoves(List.of("-D" + NameCache.TTL_PROPERTY + "=3600"));

        // 25 lookups at the pool's interval: all of them the JDK's cached answer.
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                .until(() -> answeredBy(port), "127.0.0.2"::equals);
    }

    /**
     * StreamProx with a pool whose server is a name resolved again every 200 ms, by the test's own resolver
     * ({@link TestNames}, reading a hosts file); the name resolved to 127.0.0.2 while the proxy started and
     * answered, and to 127.0.0.3 from now on, where a server listens on the same port too.
     *
     * @return the proxy's port
     */
    private int startBehindANameThatMoves(List<String> jvmOptions) throws Exception {
        String name = "moves" + TestNames.SUFFIX;
        LoopbackServer before = LoopbackServer.namingItself(new InetSocketAddress("127.0.0.2", 0));
        upstreams.add(before);
        upstreams.add(LoopbackServer.namingItself(new InetSocketAddress("127.0.0.3", before.port())));
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, TestNames.hostsLine(name, "127.0.0.2"));
        Path config = dir.resolve("pool.yaml");
        Files.writeString(config, """
                listen: 127.0.0.1:0
                admin: off
                upstreams:
                  web: { servers: ['%s:%d'], resolve-interval: 200ms }
                routes:
                  - { name: site, remote: web }
                """.formatted(name, before.port()));
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-D" + TestNames.HOSTS_FILE_PROPERTY + "=" + hosts);
        int port = ProcessLines.follow(start(options, "--config", config.toString())).awaitPort();
        assertEquals("127.0.0.2", answeredBy(port));
        Path next = dir.resolve("hosts.next");
        Files.writeString(next, TestNames.hostsLine(name, "127.0.0.3"));
        // Whole, never half written, whenever the resolver reads it.
        Files.move(next, hosts, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return port;
    }

    /** Which server answered a request on a new connection through the proxy on {@code port}. */
    private static String answeredBy(int port) throws Exception {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(10_000);
            String response = Http.exchange(client, "GET / HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n");
            assertEquals(200, Http.status(response), response);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    /** The status of a GET, or 0 when nothing answered. */
    private static int status(String url) throws Exception {
        String code = Command.run("curl", "-sS", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}", url)
                .output().trim();
        return code.matches("\\d{3}") ? Integer.parseInt(code) : 0;
    }
}
