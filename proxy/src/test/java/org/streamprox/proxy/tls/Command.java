package org.streamprox.proxy.tls;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real command-line program (openssl, curl) with no input and a time limit, and keeps what it printed. */
record Command(int exitCode, String output) {

    private static final long TIME_LIMIT_SECONDS = 30;

    static Command run(String... command) throws IOException, InterruptedException {
        // Output goes to a file, not a pipe, so waiting for the process cannot block on a full pipe.
        Path output = Files.createTempFile("streamprox-command", ".out");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectInput(new File("/dev/null"))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(TIME_LIMIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + TIME_LIMIT_SECONDS
                        + " s");
            }
            return new Command(process.exitValue(), Files.readString(output, StandardCharsets.ISO_8859_1));
        } finally {
            Files.delete(output);
        }
    }

    /** Runs it and fails the test unless it succeeds. */
    static String succeed(String... command) throws IOException, InterruptedException {
        Command result = run(command);
        if (result.exitCode != 0) {
            throw new AssertionError(String.join(" ", command) + " exited with " + result.exitCode + ":\n"
                    + result.output);
        }
        return result.output;
    }

    static String succeed(List<String> command) throws IOException, InterruptedException {
        return succeed(command.toArray(String[]::new));
    }
}
