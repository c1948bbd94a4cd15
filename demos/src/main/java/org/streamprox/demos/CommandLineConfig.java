package org.streamprox.demos;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.config.ConfigException;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;
import org.streamprox.proxy.reload.ConfigSource;

/**
 * The configuration the command line names, moved to the {@code --listen} addresses when it gives any and with the
 * admin listener {@code --admin} names, if it does: the
 * {@code --config} file, read anew at each reload, or else the built-in one, which is read once and reloads to itself
 * (reading it again would only make a new self-signed certificate).
 */
final class CommandLineConfig implements ConfigSource {

    private static final Logger LOG = LoggerFactory.getLogger(CommandLineConfig.class);

    private final ConfigLoader loader;
    private final Path file;
    private final List<InetSocketAddress> listen;
    private final Optional<Optional<InetSocketAddress>> admin;
    private ProxyConfig builtIn;

    /**
     * @param file   the {@code --config} file; null for the built-in configuration
     * @param listen the {@code --listen} addresses, once per listener; empty to keep the configuration's
     * @param admin  the {@code --admin} address, empty inside for {@code off}; empty to keep the configuration's
     */
    CommandLineConfig(ConfigLoader loader, Path file, List<InetSocketAddress> listen,
                      Optional<Optional<InetSocketAddress>> admin) {
        this.loader = loader;
        this.file = file;
        this.listen = List.copyOf(listen);
        this.admin = admin;
    }

    @Override
    public synchronized ProxyConfig read() throws ConfigException {
        ProxyConfig loaded = file != null ? loader.load(file) : builtIn();
        if (!listen.isEmpty()) {
            try {
                loaded = loaded.listeningOn(listen);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--listen: " + e.getMessage());
            }
        }
        if (admin.isPresent()) {
            try {
                loaded = loaded.withAdmin(admin.get());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--admin: " + e.getMessage());
            }
        }
        return loaded;
    }

    private ProxyConfig builtIn() throws ConfigException {
        if (builtIn != null) {
            LOG.info("no --config: the built-in configuration reloads to itself, unchanged");
            return builtIn;
        }
        try (InputStream in = Main.class.getResourceAsStream(Main.DEFAULT_CONFIG)) {
            builtIn = loader.load(in, name());
        } catch (IOException e) {
            throw new ConfigException(name() + ": cannot be read: " + e.getMessage());
        }
        return builtIn;
    }

    @Override
    public String name() {
        return file != null ? file.toString() : "built-in " + Main.DEFAULT_CONFIG.substring(1);
    }
}
