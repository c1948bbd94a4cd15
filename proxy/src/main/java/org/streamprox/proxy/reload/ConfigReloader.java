package org.streamprox.proxy.reload;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.config.ConfigException;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.server.StreamProx;

/**
 * Reloads a running StreamProx from its configuration source: reads and validates the source again, as start-up
 * does, and hands the new configuration to {@link StreamProx#reload}. A configuration that does not load, or whose
 * new listeners cannot bind, changes nothing: it is logged with the reason (the file, line and field) and counted as
 * a failed reload. SIGHUP, the file watch and the admin listener's {@code POST /reload} all come here; reloads run
 * one at a time.
 *
 * <p>As a {@link MeterBinder} it registers {@code streamprox.reloads} with {@code result=ok|failed}, and
 * {@code streamprox.config.loaded.timestamp}: when the configuration in force was loaded, in seconds.
 */
public final class ConfigReloader implements MeterBinder {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);
    private static final String RELOADS_DESCRIPTION = "configuration reloads, by whether the new one took effect";

    private final StreamProx proxy;
    private final ConfigSource source;
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile ProxyConfig config;
    private volatile Optional<ReloadResult> lastResult = Optional.empty();

    /**
     * @param proxy    what to reload
     * @param source   where the configuration is read again
     * @param config   the configuration the proxy started with
     */
    public ConfigReloader(StreamProx proxy, ConfigSource source, ProxyConfig config) {
        this.proxy = proxy;
        this.source = source;
        this.config = config;
    }

    /** Reads the source again and, if it loads, puts it in force for the connections that arrive from now on. */
    public synchronized ReloadResult reload() {
        LOG.info("reloading the configuration from {}", source.name());
        ReloadResult result;
        try {
            ProxyConfig next = source.read();
            StreamProx.Reloaded reloaded = proxy.reload(next);
            if (!next.admin().equals(config.admin())) {
                LOG.warn("admin: the admin listener stays as it started until a restart");
            }
            config = next;
            succeeded.incrementAndGet();
            result = new ReloadResult(true, reloaded.toString(), Instant.now());
        } catch (ConfigException | IllegalStateException e) {
            // Not valid, or the proxy is stopping.
            result = failed(e.getMessage());
        } catch (IOException e) {
            result = failed("cannot listen on " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = failed("interrupted");
        }
        lastResult = Optional.of(result);
        return result;
    }

    private ReloadResult failed(String reason) {
        failed.incrementAndGet();
        LOG.warn("reload failed; the configuration in force stays: {}", reason);
        return new ReloadResult(false, reason, Instant.now());
    }

    /** Where the configuration is read from. */
    public String sourceName() {
        return source.name();
    }

    /** The configuration in force: the one started with, or the last one reloaded. */
    public ProxyConfig config() {
        return config;
    }

    /** When the configuration in force was read. */
    public Instant loadedAt() {
        return config.source().loadedAt();
    }

    /** How the last reload ended; empty before the first. */
    public Optional<ReloadResult> lastResult() {
        return lastResult;
    }

    /** Reloads that put a new configuration in force. */
    public long succeeded() {
        return succeeded.get();
    }

    /** Reloads that changed nothing. */
    public long failed() {
        return failed.get();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("streamprox.reloads", succeeded, AtomicLong::get).tag("result", "ok")
                .description(RELOADS_DESCRIPTION).register(registry);
        FunctionCounter.builder("streamprox.reloads", failed, AtomicLong::get).tag("result", "failed")
                .description(RELOADS_DESCRIPTION).register(registry);
        Gauge.builder("streamprox.config.loaded.timestamp", this, reloader -> reloader.loadedAt().toEpochMilli() / 1e3)
                .baseUnit("seconds").description("when the configuration in force was loaded").register(registry);
    }
}
