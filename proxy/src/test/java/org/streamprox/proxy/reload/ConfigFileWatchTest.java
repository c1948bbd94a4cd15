package org.streamprox.proxy.reload;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file watch sees a configuration file change as editors and deployment tools change it, once per change. */
class ConfigFileWatchTest {

    /** Long enough for the watch to have reported a change it saw: its quiet time and then some. */
    private static final Duration SETTLED = ConfigFileWatch.QUIET.multipliedBy(4);

    @TempDir
    Path directory;

    private Path file;
    private final AtomicInteger changes = new AtomicInteger();
    private ConfigFileWatch watch;

    @BeforeEach
    void watch() throws Exception {
        file = Files.writeString(directory.resolve("streamprox.yaml"), "listen: 127.0.0.1:1\n");
        watch = ConfigFileWatch.start(file, changes::incrementAndGet);
    }

    @AfterEach
    void stop() throws Exception {
        watch.close();
    }

    /** Waits until the watch reported this many changes, and then that it reports no more. */
    private void awaitChanges(int expected) {
        await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() >= expected);
        await().during(SETTLED).atMost(SETTLED.plusSeconds(5)).until(() -> changes.get() == expected);
    }

    @Test
    void aFileRenamedOverItIsOneChange() throws Exception {
        Path written = Files.writeString(directory.resolve(".streamprox.yaml.tmp"), "listen: 127.0.0.1:2\n");
        Files.move(written, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        awaitChanges(1);

        Path again = Files.writeString(directory.resolve(".streamprox.yaml.tmp"), "listen: 127.0.0.1:3\n");
        Files.move(again, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        awaitChanges(2);
    }

    @Test
    void writesInQuickSuccessionAreOneChange() throws Exception {
        // As a slow editor saves: truncate, write in pieces, keep a backup beside it; each step a while apart.
        for (String step : List.of("", "listen: ", "listen: 127.0.0.1:2\n")) {
            Files.writeString(file, step);
            Thread.sleep(ConfigFileWatch.QUIET.dividedBy(4));
        }
        Files.writeString(directory.resolve("streamprox.yaml~"), "listen: 127.0.0.1:1\n");
        awaitChanges(1);
    }

    @Test
    void otherFilesAndTheSameBytesWrittenAgainAreNoChange() throws Exception {
        Files.writeString(directory.resolve("other.yaml"), "something else\n");
        Files.writeString(file, "listen: 127.0.0.1:1\n");
        awaitChanges(0);
    }

    @Test
    void aFileDeletedIsNoChangeAndItsReturnIs() throws Exception {
        Files.delete(file);
        awaitChanges(0);
        Files.writeString(file, "listen: 127.0.0.1:4\n");
        awaitChanges(1);
    }
}
