package org.streamprox.demos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The lines a process writes on its standard output, collected as they come, for a test to wait for. */
final class ProcessLines {

    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ADMIN = Pattern.compile("admin listener on http://127\\.0\\.0\\.1:(\\d+)/");

    private final LinkedBlockingQueue<String> unread = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    private final CompletableFuture<Void> ended;

    private ProcessLines(Process process) {
        ended = CompletableFuture.runAsync(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                reader.lines().forEach(line -> {
                    synchronized (all) {
                        all.add(line);
                    }
                    unread.add(line);
                });
            } catch (IOException ignored) {
                // The process ended.
            }
        });
    }

    static ProcessLines follow(Process process) {
        return new ProcessLines(process);
    }

    /** The port of the next {@code listening on 127.0.0.1:PORT} line. */
    int awaitPort() throws InterruptedException {
        Matcher matcher = LISTENING.matcher(await("listening on"));
        assertTrue(matcher.find());
        return Integer.parseInt(matcher.group(1));
    }

    /** The port of the admin listener, once it says where it listens on 127.0.0.1. */
    int awaitAdminPort() throws InterruptedException {
        Matcher matcher = ADMIN.matcher(await("admin listener on"));
        assertTrue(matcher.find());
        return Integer.parseInt(matcher.group(1));
    }

    /** The next line containing {@code fragment}, within 20 s; the lines before it are passed over. */
    String await(String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String line = unread.poll(1, TimeUnit.SECONDS);
            if (line != null && line.contains(fragment)) {
                return line;
            }
            if (line != null) {
                seen.add(line);
            }
        }
        throw new AssertionError("no output line containing '" + fragment + "' in " + seen);
    }

    /** Every line the process wrote, once it has closed its output (it ended). */
    List<String> allLines() throws Exception {
        ended.get(20, TimeUnit.SECONDS);
        synchronized (all) {
            return List.copyOf(all);
        }
    }
}
