package org.streamprox.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.get;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.testkit.Command;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;

/** The command line as users run it: a separate JVM, its exit code, its output, and SIGTERM. */
class MainProcessTest {

    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void killLeftovers() {
        processes.forEach(Process::destroyForcibly);
    }

    private Process start(String... args) throws IOException {
        return start(List.of(), args);
    }

    private Process start(List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        return process;
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
    void theBuiltInConfigurationServesTheDemosInPlainAndOverTls() throws Exception {
        Process process = start("--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0");
        try {
            ProcessOutput output = ProcessOutput.follow(process);
            int plain = output.awaitPort();
            int tls = output.awaitPort();
            for (String url : List.of("http://127.0.0.1:" + plain + "/", "https://localhost:" + tls + "/")) {
                Command page = Command.run("curl", "-sS", "--max-time", "20",
                        "--insecure", "--resolve", "localhost:" + tls + ":127.0.0.1", url);
                assertTrue(page.output().contains("<title>StreamProx demos</title>"), url + ": " + page.output());
            }
        } finally {
            process.toHandle().destroy();
            assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aPortInUseIsReportedWithoutAStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process process = start("--listen", "127.0.0.1:" + taken.getLocalPort(), "--listen", "127.0.0.1:0");
            String out = output(process);
            assertEquals(Main.CANNOT_LISTEN, process.exitValue());
            assertTrue(out.contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), out);
            assertFalse(out.contains("\tat "), out);
        }
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
    void sigtermDrainsInFlightConnectionsAndExitsZero() throws Exception {
        CountDownLatch requestArrived = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            requestArrived.countDown();
            finish.await();
            socket.getOutputStream().write("done".getBytes(StandardCharsets.US_ASCII));
        })) {
            Path config = dir.resolve("drain.yaml");
            Files.writeString(config, "listen: 127.0.0.1:0\ndrain-timeout: 20s\nroutes:\n  - remote: 127.0.0.1:"
                    + upstream.port() + "\n");
            Process process = start("--config", config.toString());
            ProcessOutput output = ProcessOutput.follow(process);
            int port = output.awaitPort();

            try (Socket client = new Socket("127.0.0.1", port)) {
                client.getOutputStream().write(Http.ascii(get("/slow")));
                assertTrue(requestArrived.await(10, TimeUnit.SECONDS));
                process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
                output.awaitLine("stop requested");
                finish.countDown();
                assertEquals("done", Http.readAll(client));
                client.shutdownOutput();
            }
            assertTrue(process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue());
        }
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
        Process process = start(List.of(jvmOptions), "--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0");
        ProcessOutput.follow(process).awaitPort();
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), "VM.flags", "-all").redirectErrorStream(true).start();
        String flags = output(jcmd);
        process.toHandle().destroy();
        assertTrue(process.waitFor(20, TimeUnit.SECONDS));
        Matcher interval = Pattern.compile("\\bG1PeriodicGCInterval\\s*=\\s*(\\d+)").matcher(flags);
        assertTrue(interval.find(), flags);
        return interval.group(1);
    }
}
