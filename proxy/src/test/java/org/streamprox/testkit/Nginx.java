package org.streamprox.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real nginx (Debian's, with its stream module) run for a test as one process in the foreground, everything it
 * writes (pid, logs, temporary files) in the test's directory; relative paths in the configuration are in that
 * directory too. The test writes the servers of the {@code http} and {@code stream} blocks. Closing it stops it.
 */
public final class Nginx implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/nginx");
    public static final Path STREAM_MODULE = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Path directory;
    private final Tool process;

    private Nginx(Path directory, Tool process) {
        this.directory = directory;
        this.process = process;
    }

    /**
     * Starts nginx with these servers in its {@code http} and {@code stream} blocks, and waits until it listens;
     * fails the test if nginx or its stream module is not installed, or it does not start.
     */
    public static Nginx start(Path directory, String httpServers, String streamServers) throws Exception {
        Tool.requireInstalled(BINARY, "proxy/setup-test-env.sh");
        if (!Files.isRegularFile(STREAM_MODULE)) {
            throw new AssertionError(STREAM_MODULE + " is not installed; proxy/setup-test-env.sh installs it "
                    + "(libnginx-mod-stream)");
        }
        Path pid = directory.resolve("nginx.pid");
        Path errors = directory.resolve("error.log");
        // No master process: killing the one process stops all of nginx, and no worker is left behind.
        Path config = Files.writeString(directory.resolve("nginx.conf"), """
                load_module %s;
                daemon off;
                master_process off;
                pid %s;
                error_log %s notice;
                events {
                    worker_connections 64;
                }
                http {
                    access_log off;
                    client_body_temp_path client_body;
                    proxy_temp_path proxy;
                    fastcgi_temp_path fastcgi;
                    uwsgi_temp_path uwsgi;
                    scgi_temp_path scgi;
                %s
                }
                stream {
                %s
                }
                """.formatted(STREAM_MODULE, pid, errors, httpServers.indent(4), streamServers.indent(4)));
        Tool process = Tool.start(directory, BINARY.toString(), "-p", directory.toString(), "-e", errors.toString(),
                "-c", config.toString());
        Nginx nginx = new Nginx(directory, process);
        try {
            // nginx writes its pid once its listening sockets are open.
            await().atMost(WAIT).until(() -> Files.exists(pid) || !process.isRunning());
        } catch (ConditionTimeoutException e) {
            nginx.close();
            throw new AssertionError("nginx did not start: " + nginx.diagnostics(), e);
        }
        if (!process.isRunning()) {
            nginx.close();
            throw new AssertionError("nginx did not start: " + nginx.diagnostics());
        }
        return nginx;
    }

    /**
     * Waits until the log (a file name in the directory, as the configuration's {@code access_log} gave it) has a
     * line containing the text, and returns that line.
     */
    public String awaitLogLine(String log, String containing) {
        try {
            return await().atMost(WAIT).until(() -> lineOf(directory.resolve(log), containing),
                    Optional::isPresent).orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no line with '" + containing + "' in nginx's " + log + ": "
                    + read(directory.resolve(log)) + "\n" + diagnostics(), e);
        }
    }

    private static Optional<String> lineOf(Path log, String containing) throws IOException {
        if (!Files.exists(log)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return lines.stream().filter(line -> line.contains(containing)).findFirst();
    }

    /** What nginx printed and its error log, for failure messages. */
    public String diagnostics() {
        return "nginx printed: " + process.output() + "\nits error log: " + read(directory.resolve("error.log"));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(none)";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
