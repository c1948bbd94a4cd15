package org.streamprox.proxy.reload;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports changes of one file, made the way editors and deployment tools make them: written in several steps, or
 * written beside it and renamed over it, or a symbolic link swapped (as Kubernetes updates a mounted ConfigMap). It
 * watches the file's folder, since a watch on the file itself would lose it at the first rename; waits until the
 * folder has been quiet for a moment, so one save is one change; and reports only when the file's bytes differ from
 * those it last saw, so unrelated files in the folder change nothing. A file that is gone is not reported: a save
 * puts it back.
 */
final class ConfigFileWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFileWatch.class);

    /** How long the folder must be quiet before the file is looked at: longer than an editor's save takes. */
    static final Duration QUIET = Duration.ofMillis(300);

    private final Path file;
    private final WatchService watcher;
    private final Runnable changed;
    private final Thread thread;
    /** What the file held when last looked at; null when it could not be read. Touched by the watch thread only. */
    private byte[] lastSeen;

    private ConfigFileWatch(Path file, WatchService watcher, Runnable changed) {
        this.file = file;
        this.watcher = watcher;
        this.changed = changed;
        this.lastSeen = contents();
        this.thread = Thread.ofVirtual().name("streamprox-config-watch").unstarted(this::watch);
    }

    /** Starts watching; {@code changed} runs on the watch's own thread, once per change. */
    static ConfigFileWatch start(Path file, Runnable changed) throws IOException {
        Path absolute = file.toAbsolutePath();
        WatchService watcher = absolute.getFileSystem().newWatchService();
        try {
            absolute.getParent().register(watcher, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
        } catch (IOException | RuntimeException e) {
            watcher.close();
            throw e;
        }
        ConfigFileWatch watch = new ConfigFileWatch(absolute, watcher, changed);
        watch.thread.start();
        LOG.info("watching {} for changes", absolute);
        return watch;
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                while (key != null) {
                    key.pollEvents();
                    if (!key.reset()) {
                        LOG.warn("{}: its folder is gone; no longer watching it", file);
                        return;
                    }
                    key = watcher.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS);
                }
                reportIfChanged();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // Closed.
        }
    }

    private void reportIfChanged() {
        byte[] now = contents();
        if (now != null && !Arrays.equals(now, lastSeen)) {
            LOG.info("{} changed", file);
            changed.run();
        }
        lastSeen = now;
    }

    private byte[] contents() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        watcher.close();
        thread.join();
    }
}
