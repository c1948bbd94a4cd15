package org.streamprox.demos;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.streamprox.apps.BuiltInApps;
import org.streamprox.apps.host.JettyLocalApps;
import org.streamprox.proxy.config.ConfigException;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.server.StreamProx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code java -jar streamprox.jar}: loads the configuration, serves it until SIGTERM or SIGINT, drains, exits 0. */
@Command(name = "streamprox", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A single-port inspecting reverse proxy: routes each TCP connection by its first HTTP head "
                + "to an in-process app or a remote server. With no --config it serves the built-in demos.")
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

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "${STREAMPROX_LOG_FORMAT:-text}",
            description = "text (the default) or json: JSON lines, the access log's fields apart (also "
                    + "STREAMPROX_LOG_FORMAT in the environment)")
    private LogFormat logFormat;

    public static void main(String[] args) {
        CommandLine command = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        command.getCommandSpec().usageMessage().footer("%nLocal apps a route can name with 'local: APP': "
                + String.join(", ", BuiltInApps.NAMES) + ".");
        System.exit(command.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        logFormat.use();  // first: nothing has logged yet
        JettyLocalApps apps = new JettyLocalApps();
        BuiltInApps.registerAll(apps, BuiltInApps.Options.defaults());
        ProxyConfig proxyConfig;
        try {
            proxyConfig = loadConfig(new ConfigLoader(apps.names()));
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("streamprox: " + e.getMessage());
            return CONFIG_ERROR;
        }
        IdleHeapCollection.enable();
        try {
            StreamProx.serveUntilStopSignal(proxyConfig, apps);
        } catch (IOException e) {
            // The listener's address and why it could not bind.
            System.err.println("streamprox: cannot listen on " + e.getMessage());
            return CANNOT_LISTEN;
        }
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
            List<InetSocketAddress> addresses = new ArrayList<>();
            try {
                for (String address : listen) {
                    addresses.add(ConfigLoader.listenAddress(address));
                }
                loaded = loaded.listeningOn(addresses);
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
