package org.streamprox.testkit;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real HAProxy (Debian's, 2.6) run for a test in TCP mode, from a configuration file in the test's directory; the
 * test writes its frontends and backends. Closing it stops it and its worker.
 */
public final class Haproxy implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/haproxy");

    private static final String DEFAULTS = """
            defaults
                mode tcp
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            """;

    private final Tool process;

    private Haproxy(Tool process) {
        this.process = process;
    }

    /**
     * Starts HAProxy with these sections after TCP defaults, and waits until it listens; fails the test if it is not
     * installed or does not start.
     */
    public static Haproxy start(Path directory, String sections) throws Exception {
        Tool.requireInstalled(BINARY, "proxy/setup-test-env.sh");
        Path config = Files.writeString(directory.resolve("haproxy.cfg"), DEFAULTS + sections);
        // Master-worker mode says when the listeners are bound; its worker ends with it.
        Tool process = Tool.start(directory, BINARY.toString(), "-W", "-db", "-f", config.toString());
        try {
            process.awaitOutput("Loading success.");
        } catch (ConditionTimeoutException e) {
            process.close();
            throw new AssertionError("haproxy did not start: " + process.output(), e);
        }
        return new Haproxy(process);
    }

    /**
     * A frontend on 127.0.0.1:{@code port} whose connections go to {@code server}, with the server line's options
     * ({@code send-proxy-v2}, {@code source 127.0.0.9}); {@code name} names both sections.
     */
    public static String forward(String name, int port, InetSocketAddress server, String serverOptions) {
        return """
                frontend %1$s
                    bind 127.0.0.1:%2$d
                    default_backend %1$s
                backend %1$s
                    server %1$s %3$s:%4$d %5$s
                """.formatted(name, port, server.getAddress().getHostAddress(), server.getPort(), serverOptions);
    }

    /** What it printed so far, for failure messages. */
    public String output() {
        return process.output();
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
