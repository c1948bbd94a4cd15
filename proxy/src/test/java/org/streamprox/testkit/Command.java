package org.streamprox.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real command-line program (openssl, curl) run to its end within a time limit, and what it printed (standard
 * output and standard error, interleaved).
 */
public record Command(int exitCode, String output) {

    private static final long TIME_LIMIT_SECONDS = 30;

    /** Runs it with nothing on its standard input. */
    public static Command run(String... command) throws IOException, InterruptedException {
        return run(new byte[0], command);
    }

    /** Runs it with {@code input}, then the end, on its standard input. */
    public static Command run(byte[] input, String... command) throws IOException, InterruptedException {
        // Input and output go through files, not pipes, so waiting for the process cannot block on a full pipe.
        Path in = Files.write(Files.createTempFile("streamprox-command", ".in"), input);
        Path out = Files.createTempFile("streamprox-command", ".out");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectInput(in.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            if (!process.waitFor(TIME_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + TIME_LIMIT_SECONDS
                        + " s");
            }
            return new Command(process.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1));
        } finally {
            Files.delete(in);
            Files.delete(out);
        }
    }

    /** Runs it and fails the test unless it succeeds. */
    public static String succeed(String... command) throws IOException, InterruptedException {
        Command result = run(command);
        if (result.exitCode != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + result.exitCode + ":\n"
                    + result.output);
        }
        return result.output;
    }

    public static String succeed(List<String> command) throws IOException, InterruptedException {
        return succeed(command.toArray(String[]::new));
    }

    /** Whether the program is installed: tests of real clients are skipped where it is not. */
    public static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(directory -> Files.isExecutable(Path.of(directory, program)));
    }
}
