package org.streamprox.proxy.hostile;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A {@link BulkUpstream} in a separate JVM, started on this test classpath, that can be killed like a crash. */
final class UpstreamProcess implements AutoCloseable {

    private final Process process;
    private final int port;

    UpstreamProcess(long responseSize) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                BulkUpstream.class.getName(), Long.toString(responseSize))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        String line = out.readLine();
        if (line == null) {
            throw new IllegalStateException("upstream process exited with " + process.waitFor());
        }
        port = Integer.parseInt(line.trim());
    }

    int port() {
        return port;
    }

    /** SIGKILL: the kernel closes its sockets, with no chance for the program to finish anything. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("upstream process did not die");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
