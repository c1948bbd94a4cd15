package org.streamprox.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code java -jar streamprox.jar} as a user runs it, on the Java they happen to have. */
class BareJarIT {

    private static final Path JAR = Path.of("target", "streamprox.jar");
    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    private record Run(int exitCode, String output) {
    }

    private static Run run(Path java, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running: " + command);
        return new Run(process.exitValue(), output);
    }

    /** A java under /usr/lib/jvm older than 21; demos/setup-test-env.sh installs one when there is none. */
    private static Path oldJava() throws IOException {
        try (Stream<Path> homes = Files.list(Path.of("/usr/lib/jvm"))) {
            Optional<Path> found = homes.filter(home -> major(home) > 0 && major(home) < Launcher.REQUIRED_JAVA)
                    .map(home -> home.resolve("bin/java")).filter(Files::isExecutable).findFirst();
            return found.orElseThrow(() -> new AssertionError(
                    "no Java older than 21 under /usr/lib/jvm: run demos/setup-test-env.sh (bin/test does)"));
        }
    }

    private static int major(Path home) {
        try {
            Matcher version = JAVA_VERSION.matcher(Files.readString(home.resolve("release")));
            return version.find() ? Integer.parseInt(version.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    void onAnOldJavaTheJarSaysInOneLineWhichJavaItNeedsAndExits1() throws Exception {
        Run run = run(oldJava(), "--help");
        assertEquals(1, run.exitCode(), run.output());
        assertEquals(1, run.output().lines().count(), run.output());
        assertTrue(run.output().startsWith("streamprox: needs Java 21 or newer; found Java "), run.output());
    }

    @Test
    void onThisJavaTheJarRuns() throws Exception {
        Run run = run(Path.of(System.getProperty("java.home"), "bin", "java"), "--version");
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().startsWith("streamprox "), run.output());
    }
}
