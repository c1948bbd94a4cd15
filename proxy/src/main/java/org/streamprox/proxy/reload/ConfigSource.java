package org.streamprox.proxy.reload;

import java.nio.file.Path;
import org.streamprox.proxy.config.ConfigException;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;

/** Where the configuration comes from: read, and validated as at start-up, again at each reload. */
public interface ConfigSource {

    /**
     * Reads and validates the configuration anew.
     *
     * @throws ConfigException when it cannot be used; the message names the file, the line and the field
     */
    ProxyConfig read() throws ConfigException;

    /** What it is, for the log and the admin listener: a file's name, or "the built-in configuration". */
    String name();

    /** A YAML file, loaded with the loader each time. */
    static ConfigSource file(Path file, ConfigLoader loader) {
        return new ConfigSource() {
            @Override
            public ProxyConfig read() throws ConfigException {
                return loader.load(file);
            }

            @Override
            public String name() {
                return file.toString();
            }
        };
    }
}
