package org.streamprox.demos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.streamprox.apps.BuiltInApps;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.config.ProxyConfig;

/** The demo configurations load with the built-in apps, and serve this machine only unless told otherwise. */
class DemoConfigsTest {

    private static final ConfigLoader LOADER = new ConfigLoader(Set.copyOf(BuiltInApps.NAMES));

    static Stream<Path> launcherConfigs() throws Exception {
        // The module's directory is demos/, where the launchers and their YAML files are.
        return Files.list(Path.of("")).filter(path -> path.toString().endsWith(".yaml")).sorted();
    }

    @ParameterizedTest
    @MethodSource("launcherConfigs")
    void eachLauncherConfigurationListensOnLoopback(Path file) throws Exception {
        ProxyConfig config = LOADER.load(file);
        assertTrue(config.settings().listen().getAddress().isLoopbackAddress(), file + " listens on "
                + config.settings().listen());
    }

    @Test
    void theBuiltInConfigurationListensOnLoopback() throws Exception {
        try (InputStream in = Main.class.getResourceAsStream(Main.DEFAULT_CONFIG)) {
            ProxyConfig config = LOADER.load(in, Main.DEFAULT_CONFIG);
            assertTrue(config.settings().listen().getAddress().isLoopbackAddress(), "listens on "
                    + config.settings().listen());
        }
    }
}
