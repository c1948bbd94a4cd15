package org.streamprox.demos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        assertListensOnLoopbackOnly(LOADER.load(file), file.toString());
    }

    @Test
    void theBuiltInConfigurationListensOnLoopback() throws Exception {
        try (InputStream in = Main.class.getResourceAsStream(Main.DEFAULT_CONFIG)) {
            ProxyConfig config = LOADER.load(in, Main.DEFAULT_CONFIG);
            assertListensOnLoopbackOnly(config, Main.DEFAULT_CONFIG);
            assertEquals(List.of(8080, 8443), config.listeners().stream()
                    .map(listener -> listener.settings().listen().getPort()).toList());
            assertTrue(config.listeners().get(1).settings().tls().certificates().isPresent(), "8443 speaks TLS");
        }
    }

    private static void assertListensOnLoopbackOnly(ProxyConfig config, String name) {
        for (ProxyConfig.Listener listener : config.listeners()) {
            assertTrue(listener.settings().listen().getAddress().isLoopbackAddress(), name + " listens on "
                    + listener.settings().listen());
        }
    }
}
