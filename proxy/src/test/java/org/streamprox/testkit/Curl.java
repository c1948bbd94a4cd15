package org.streamprox.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

/** The real curl as an HTTPS client. */
public final class Curl {


    private Curl() {
    }

    /**
     * What curl prints for {@code https://NAME:PORT/PATH}, with NAME resolved to 127.0.0.1 and only {@code trusted}
     * trusted; fails the test when curl fails.
     */
    public static String https(TestCertificates.Pem trusted, String name, int port, String path, String... options)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--cacert",
                trusted.certificate().toString(), "--resolve", name + ":" + port + ":127.0.0.1"));
        command.addAll(List.of(options));
        command.add("https://" + name + ":" + port + path);
        Command result = Command.run(command.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.output());
        return result.output();
    }
}
