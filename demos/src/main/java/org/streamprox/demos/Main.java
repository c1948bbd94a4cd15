package org.streamprox.demos;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import org.streamprox.apps.BuiltInApps;
import org.streamprox.apps.admin.AdminServer;
import org.streamprox.apps.admin.AdminSources;
import org.streamprox.apps.host.JettyLocalApps;
import org.streamprox.proxy.config.ConfigException;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.reload.ConfigReloader;
import org.streamprox.proxy.reload.ReloadTriggers;
import org.streamprox.proxy.server.Companion;
import org.streamprox.proxy.server.StreamProx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code java -jar streamprox.jar}: loads the configuration, serves it until SIGTERM or SIGINT, drains, exits 0;
 * SIGHUP reloads it. With {@code --check} it only validates the configuration.
 */
@Command(name = "streamprox", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A single-port inspecting reverse proxy: routes each TCP connection by its first HTTP head "
                + "to an in-process app or a remote server. With no --config it serves the built-in demos. "
                + "SIGHUP reloads the configuration.")
public final class Main implements Callable<Integer> {

    static final String DEFAULT_CONFIG = "/streamprox-default.yaml";
    static final int CONFIG_ERROR = 2;
    static final int CANNOT_LISTEN = 3;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (default: the built-in demos)")
    private Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "address to listen on instead of the "
            + "configuration's; once per listener, in their order (the built-in configuration has two: plain "
            + "and TLS)")
    private List<String> listen;

    @Option(names = "--check", description = "validate the configuration as start-up does (certificates, local app "
            + "names, --listen), bind nothing, and exit: 0 when it is valid, 2 with the reason when not")
    private boolean check;

    @Option(names = "--watch", description = "reload when the --config file changes (written, or renamed over it)")
    private boolean watch;

    @Option(names = "--admin", paramLabel = "HOST:PORT|off", description = "address of the admin listener (metrics, "
            + "health, status page, reload) instead of the configuration's (default 127.0.0.1:9901), or off for none")
    private String admin;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "${STREAMPROX_LOG_FORMAT:-text}",
            description = "text (the default) or json: JSON lines, the access log's fields apart (also "
                    + "STREAMPROX_LOG_FORMAT in the environment)")
    private LogFormat logFormat;

    public static void main(String[] args) {
        NameCache.leaveToPools();  // first: before anything looks a name up
        CommandLine command = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        command.getCommandSpec().usageMessage().footer("%nLocal apps a route can name with 'local: APP': "
                + String.join(", ", BuiltInApps.NAMES) + ".");
        System.exit(command.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        logFormat.use();  // first: nothing has logged yet
        if (check) {
            // The verdict is the output: no start-up chatter such as a self-signed certificate's fingerprint.
            ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        }
        if (watch && config == null) {
            System.err.println("streamprox: --watch needs --config: the built-in configuration does not change");
            return CONFIG_ERROR;
        }
        JettyLocalApps apps = new JettyLocalApps();
        BuiltInApps.registerAll(apps, BuiltInApps.Options.defaults());
        CommandLineConfig source;
        ProxyConfig proxyConfig;
        try {
            source = new CommandLineConfig(new ConfigLoader(apps.names()), config, listenAddresses(), adminAddress());
            proxyConfig = source.read();
        } catch (ConfigException e) {
            System.err.println("streamprox: " + e.getMessage());
            return CONFIG_ERROR;
        }
        if (check) {
            System.out.println("streamprox: " + source.name() + ": configuration OK");
            return 0;
        }
        return serve(apps, source, proxyConfig);
    }

    /**
     * Serves until a stop signal, with what serves beside: the reload triggers (SIGHUP, and with {@code --watch}
     * changes to the file) and the admin listener, whose meters the engine records only when it is on.
     */
    private int serve(JettyLocalApps apps, CommandLineConfig source, ProxyConfig proxyConfig)
            throws Exception {
        IdleHeapCollection.enable();
        Optional<PrometheusMeterRegistry> registry = proxyConfig.admin()
                .map(address -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        registry.ifPresent(apps::measureWith);
        Companion beside = proxy -> {
            ConfigReloader reloader = new ConfigReloader(proxy, source, proxyConfig);
            ReloadTriggers triggers = reloadTriggers(reloader);
            if (registry.isEmpty()) {
                return triggers;
            }
            reloader.bindTo(registry.get());
            try {
                AdminServer admin = AdminServer.start(proxyConfig.admin().orElseThrow(),
                        new AdminSources(proxy, registry.get(), reloader));
                return () -> {
                    try (triggers; admin) {
                        // The triggers first, so no reload starts while the admin listener closes.
                    }
                };
            } catch (IOException | RuntimeException e) {
                triggers.close();
                throw e;
            }
        };
        try {
            StreamProx.serveUntilStopSignal(() -> registry.isPresent()
                    ? StreamProx.start(proxyConfig, apps, registry.get()) : StreamProx.start(proxyConfig, apps), beside);
        } catch (IOException e) {
            // The listener's address and why it could not bind.
            System.err.println("streamprox: cannot listen on " + e.getMessage());
            return CANNOT_LISTEN;
        } catch (ConfigException e) {
            System.err.println("streamprox: " + e.getMessage());
            return CONFIG_ERROR;
        }
        return 0;
    }

    private ReloadTriggers reloadTriggers(ConfigReloader reloader) throws ConfigException {
        try {
            return ReloadTriggers.start(reloader, watch ? Optional.of(config) : Optional.empty());
        } catch (IOException e) {
            throw new ConfigException("--watch: cannot watch " + config + ": " + e.getMessage());
        }
    }

    private List<InetSocketAddress> listenAddresses() throws ConfigException {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String address : listen == null ? List.<String>of() : listen) {
            try {
                addresses.add(ConfigLoader.listenAddress(address));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--listen: " + e.getMessage());
            }
        }
        return addresses;
    }

    /** What {@code --admin} says: nothing when not given, an empty address for {@code off}. */
    private Optional<Optional<InetSocketAddress>> adminAddress() throws ConfigException {
        if (admin == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(admin.equals("off") ? Optional.empty() : Optional.of(ConfigLoader.listenAddress(admin)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--admin: " + e.getMessage());
        }
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
