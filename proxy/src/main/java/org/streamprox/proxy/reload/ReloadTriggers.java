package org.streamprox.proxy.reload;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * What asks for a reload besides the admin listener: SIGHUP, as nginx and HAProxy take it, and, when asked for,
 * changes to the configuration file. A SIGHUP's reload runs on a thread of its own, a change's on the watch's; the
 * reloader takes them one at a time.
 */
public final class ReloadTriggers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadTriggers.class);
    private static final Signal HANG_UP = new Signal("HUP");

    private final Optional<ConfigFileWatch> watch;

    private ReloadTriggers(Optional<ConfigFileWatch> watch) {
        this.watch = watch;
    }

    /**
     * Reloads on SIGHUP from now on, and on changes to the file if one is given.
     *
     * @throws IOException when the file's folder cannot be watched
     */
    public static ReloadTriggers start(ConfigReloader reloader, Optional<Path> watchedFile) throws IOException {
        Optional<ConfigFileWatch> watch = Optional.empty();
        if (watchedFile.isPresent()) {
            watch = Optional.of(ConfigFileWatch.start(watchedFile.get(), reloader::reload));
        }
        Signal.handle(HANG_UP, signal -> {
            LOG.info("SIGHUP: reload requested");
            Thread.ofVirtual().name("streamprox-reload").start(reloader::reload);
        });
        return new ReloadTriggers(watch);
    }

    /** Stops watching; a later SIGHUP is ignored. */
    @Override
    public void close() throws IOException, InterruptedException {
        Signal.handle(HANG_UP, SignalHandler.SIG_IGN);
        if (watch.isPresent()) {
            watch.get().close();
        }
    }
}
