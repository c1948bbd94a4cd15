package org.streamprox.demos;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.apps.BuiltInApps;
import org.streamprox.proxy.AccessLog;
import org.streamprox.proxy.ProxyServer;
import org.streamprox.proxy.config.ConfigException;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.local.JettyLocalApps;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code java -jar streamprox.jar}: loads the configuration, serves it until SIGTERM or SIGINT, drains, exits 0. */
@Command(name = "streamprox", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A single-port inspecting reverse proxy: routes each TCP connection by its first HTTP head "
                + "to an in-process app or a remote server. With no --config it serves the built-in demos.")
public final class Main implements Callable<Integer> {

    static final String DEFAULT_CONFIG = "/streamprox-default.yaml";
    static final int CONFIG_ERROR = 2;
    static final int CANNOT_LISTEN = 3;

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (default: the built-in demos)")
    private Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "address to listen on, overriding the "
            + "configuration's 'listen'")
    private String listen;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ProxyConfig proxyConfig;
        try {
            proxyConfig = loadConfig(new ConfigLoader(BuiltInApps.NAMES::contains));
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("streamprox: " + e.getMessage());
            return CONFIG_ERROR;
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
        JettyLocalApps apps = new JettyLocalApps(proxyConfig.settings().head().maxBytes(),
                JettyLocalApps.DEFAULT_IDLE_TIMEOUT);
        BuiltInApps.registerAll(apps, BuiltInApps.Options.defaults());
        apps.start();
        ProxyServer server;
        try {
            server = new ProxyServer(proxyConfig.settings(), proxyConfig.router(), apps).start();
        } catch (IOException e) {
            System.err.println("streamprox: cannot listen on " + AccessLog.address(proxyConfig.settings().listen())
                    + ": " + e.getMessage());
            apps.close();
            return CANNOT_LISTEN;
        }
        stopRequested.await();
        LOG.info("stop requested");
        long drainEnds = System.nanoTime() + proxyConfig.settings().drainTimeout().toNanos();
        boolean drained = server.shutdown(proxyConfig.settings().drainTimeout());
        // Handed-off connections are Jetty's: stop it after the listener, so nothing new arrives meanwhile,
        // within what is left of the one drain time.
        apps.stop(Duration.ofNanos(Math.max(0, drainEnds - System.nanoTime())));
        LOG.info("stopped{}", drained ? "" : " (some connections were cut at the drain timeout)");
        return 0;
    }

    private ProxyConfig loadConfig(ConfigLoader loader) throws Exception {
        ProxyConfig loaded;
        if (config != null) {
            loaded = loader.load(config);
        } else {
            try (InputStream in = Main.class.getResourceAsStream(DEFAULT_CONFIG)) {
                loaded = loader.load(in, "built-in " + DEFAULT_CONFIG.substring(1));
            }
        }
        if (listen != null) {
            try {
                loaded = loaded.withSettings(loaded.settings().withListen(ConfigLoader.listenAddress(listen)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--listen: " + e.getMessage(), e);
            }
        }
        return loaded;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"streamprox " + (version == null ? "(development build)" : version)};
        }
    }
}
