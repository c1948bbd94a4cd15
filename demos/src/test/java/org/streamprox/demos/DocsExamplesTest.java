package org.streamprox.demos;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.streamprox.apps.BuiltInApps;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.testkit.Command;
import org.streamprox.testkit.TestCertificates;

/** Every configuration the README and docs/ show loads as it is written: a reader may copy any of them. */
class DocsExamplesTest {

    @TempDir
    static Path folder;

    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    static Stream<Arguments> examples() throws Exception {
        List<Path> files = new ArrayList<>(List.of(Path.of("..", "README.md")));
        try (Stream<Path> docs = Files.list(Path.of("..", "docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Arguments> examples = new ArrayList<>();
        for (Path file : files) {
            Matcher block = YAML_BLOCK.matcher(Files.readString(file));
            for (int n = 1; block.find(); n++) {
                examples.add(Arguments.of(file.getFileName() + " example " + n, block.group(1)));
            }
        }
        return examples.stream();
    }

    @Test
    void theDocsHaveExamples() throws Exception {
        assertFalse(examples().toList().isEmpty());
    }

    /** The files the examples name, in the folder each example is written to, as a reader would have them. */
    @BeforeAll
    static void filesTheExamplesName() throws Exception {
        TestCertificates.Pem site = TestCertificates.selfSigned(folder, "localhost");
        Files.move(site.certificate(), folder.resolve("site.crt"));
        Files.move(site.key(), folder.resolve("site.key"));
        Files.copy(folder.resolve("site.crt"), folder.resolve("internal-ca.pem"));
        Command.succeed("openssl", "pkcs12", "-export", "-in", folder.resolve("site.crt").toString(), "-inkey",
                folder.resolve("site.key").toString(), "-out", folder.resolve("site.p12").toString(),
                "-passout", "pass:secret");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void eachExampleLoads(String name, String yaml) throws Exception {
        Path file = Files.writeString(folder.resolve("example.yaml"), yaml);
        new ConfigLoader(Set.copyOf(BuiltInApps.NAMES)).load(file);
    }
}
