package org.streamprox.demos;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The StreamProx processes a test starts, as users run them; whatever is still running after the test is killed. */
final class StreamProxProcesses implements AfterEachCallback {

    /** The jar the package phase built, as {@code java -jar streamprox.jar} runs it. */
    static final Path JAR = Path.of("target", "streamprox.jar");

    private final List<Process> started = new ArrayList<>();

    /** {@code java -jar target/streamprox.jar ARGUMENTS}, with the Java running the test. */
    static List<String> jarCommand(List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", JAR.toString()));
        command.addAll(arguments);
        return command;
    }

    /** This test JVM's {@code java}. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    Process start(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        started.add(process);
        return process;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        started.forEach(Process::destroyForcibly);
        started.clear();
    }
}
