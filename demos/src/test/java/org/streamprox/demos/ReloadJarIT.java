package org.streamprox.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.streamprox.testkit.Http.get;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.testkit.Command;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;

/**
 * Reloading the packaged jar while it serves, as an operator does: {@code kill -HUP}, and {@code --watch} with the
 * file renamed over, as deployment tools write it. The new file's routes serve the next connection; a bad file
 * changes nothing; the built-in configuration reloads to itself.
 */
class ReloadJarIT {

    @RegisterExtension
    final StreamProxProcesses processes = new StreamProxProcesses();

    @TempDir
    Path dir;

    private Process startJar(String... args) throws IOException {
        return processes.start(new ProcessBuilder(StreamProxProcesses.jarCommand(List.of(args)))
                .redirectErrorStream(true));
    }

    /** An upstream that answers a head with its name on a line. */
    private static LoopbackServer named(String name) throws IOException {
        return LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(Http.ascii(name + "\n"));
        });
    }

    private static String everythingTo(LoopbackServer upstream) {
        return "listen: 127.0.0.1:0\nroutes:\n  - remote: 127.0.0.1:" + upstream.port() + "\n";
    }

    /** Which named upstream a new connection through the proxy reaches. */
    private static String upstreamOfANewConnection(int port) throws IOException {
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(10_000);
            return Http.exchange(client, get("/")).strip();
        }
    }

    private static void hangUp(Process process) throws Exception {
        assertEquals(0, Command.run("kill", "-HUP", Long.toString(process.pid())).exitCode());
    }

    @Test
    void sighupReloadsTheFileAndABadFileChangesNothing() throws Exception {
        try (LoopbackServer a = named("A"); LoopbackServer b = named("B")) {
            Path config = Files.writeString(dir.resolve("reload.yaml"), everythingTo(a));
            Process process = startJar("--config", config.toString());
            ProcessLines lines = ProcessLines.follow(process);
            int port = lines.awaitPort();
            assertEquals("A", upstreamOfANewConnection(port));

            Files.writeString(config, everythingTo(b));
            hangUp(process);
            lines.await("configuration reloaded: listeners kept: 127.0.0.1:" + port + ";");
            assertEquals("B", upstreamOfANewConnection(port));

            Files.writeString(config, "listen: 127.0.0.1:0\nroutes:\n  - local: nonesuch\n");
            hangUp(process);
            lines.await("reload failed; the configuration in force stays: " + config + ":3: routes[0].local: ");
            assertEquals("B", upstreamOfANewConnection(port));
        }
    }

    @Test
    void sighupReloadsTheBuiltInConfigurationToItself() throws Exception {
        Process process = startJar("--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0");
        ProcessLines lines = ProcessLines.follow(process);
        int plain = lines.awaitPort();
        int tls = lines.awaitPort();
        hangUp(process);
        lines.await("no --config: the built-in configuration reloads to itself, unchanged");
        lines.await("configuration reloaded: listeners kept: 127.0.0.1:" + plain + ", 127.0.0.1:" + tls
                + "; added: none; removed: none");
    }

    @Test
    void withWatchAFileRenamedOverTheConfigurationReloadsIt() throws Exception {
        try (LoopbackServer a = named("A"); LoopbackServer b = named("B")) {
            Path config = Files.writeString(dir.resolve("watched.yaml"), everythingTo(a));
            Process process = startJar("--config", config.toString(), "--watch");
            ProcessLines lines = ProcessLines.follow(process);
            int port = lines.awaitPort();
            lines.await("watching " + config.toAbsolutePath());

            Path written = Files.writeString(dir.resolve("watched.yaml.tmp"), everythingTo(b));
            Files.move(written, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            lines.await("configuration reloaded");
            assertEquals("B", upstreamOfANewConnection(port));
        }
    }
}
