package org.streamprox.testkit;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command-line peer (openssl, curl, haproxy) run for a test: stdin to type into, and stdout and stderr together,
 * collected as they come so a test can wait for a line. Every wait is bounded; closing kills what is still running.
 */
public final class Tool implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Process process;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Thread collector;

    private Tool(Process process) {
        this.process = process;
        this.collector = Thread.ofVirtual().start(this::collect);
    }

    /**
     * Fails the test unless the program is installed: a peer the suite relies on is never skipped quietly.
     *
     * @param installedBy what installs it, for the message
     */
    public static void requireInstalled(Path program, String installedBy) {
        if (!Files.isExecutable(program)) {
            throw new AssertionError(program + " is not installed; " + installedBy + " installs it");
        }
    }

    public static Tool start(Path directory, String... command) throws IOException {
        return new Tool(new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start());
    }

    /** Runs a command to its end and returns its output; fails if it fails. */
    public static String run(Path directory, String... command) throws Exception {
        try (Tool tool = start(directory, command)) {
            int exit = tool.exitCode();
            if (exit != 0) {
                throw new IllegalStateException(List.of(command) + " exited with " + exit + ": " + tool.output());
            }
            return tool.output();
        }
    }

    public void type(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(StandardCharsets.ISO_8859_1));
        in.flush();
    }

    public void endInput() throws IOException {
        process.getOutputStream().close();
    }

    /** Waits until the output holds the text, and returns all of it. */
    public String awaitOutput(String text) {
        await().atMost(WAIT).until(() -> output().contains(text));
        return output();
    }

    /** Waits for the process to end, and for the last of its output. */
    public int exitCode() throws InterruptedException {
        if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("still running after " + WAIT + ": " + output());
        }
        collector.join(WAIT);
        return process.exitValue();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    public String output() {
        synchronized (output) {
            return output.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private void collect() {
        byte[] chunk = new byte[4096];
        try (InputStream out = process.getInputStream()) {
            for (int read = out.read(chunk); read >= 0; read = out.read(chunk)) {
                synchronized (output) {
                    output.write(chunk, 0, read);
                }
            }
        } catch (IOException ignored) {
            // The process was killed: what it said so far is kept.
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
