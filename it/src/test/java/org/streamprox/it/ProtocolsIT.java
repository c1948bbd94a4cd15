package org.streamprox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.testkit.Command;

/**
 * Every protocol on one port, as sslh and HAProxy together would serve it: StreamProx's one listener sends SSH
 * (known by its banner) to OpenSSH, a client still silent after the detect timeout to OpenSMTPD (SMTP servers speak
 * first), and HTTP and HTTPS (terminated with a self-signed certificate) to nginx. {@link ProtocolServersIT} checks
 * the same servers without StreamProx.
 */
class ProtocolsIT {

    @TempDir
    static Path directory;

    private static ContainerGroup containers;
    private static OpenSshClient ssh;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        ssh = OpenSshClient.withNewKey(directory);
        int sshPort = Images.freePort();
        int smtpPort = Images.freePort();
        int webPort = Images.freePort();
        port = Images.freePort();
        containers = new ContainerGroup();
        containers.start(Images.sshd(sshPort, ssh.publicKey()));
        containers.start(Images.smtp(smtpPort));
        containers.start(Images.nginx(webPort, """
                  location / { default_type text/plain; return 200 "nginx uri=$request_uri\\n"; }
                """));
        // The smtp route has no match of its own: as the listener's on-silence route, it gets silent clients only.
        containers.start(Images.streamprox(port, """
                listeners:
                  - listen: 127.0.0.1:%d
                    tls: { self-signed: [localhost] }
                    detect-timeout: 1s
                    on-silence: smtp
                routes:
                  - { name: ssh, match: { protocol: ssh }, remote: 127.0.0.1:%d }
                  - { name: web, match: { path-prefix: / }, remote: 127.0.0.1:%d }
                  - { name: smtp, remote: 127.0.0.1:%d }
                """.formatted(port, sshPort, webPort, smtpPort)));
    }

    @AfterAll
    static void stop() {
        containers.close();
    }

    @Test
    void openSshLogsInThroughTheSharedPortAndRunsACommand() throws Exception {
        assertEquals("hello\n", ssh.run(port, "echo", "hello"));
    }

    @Test
    void aClientThatSaysNothingIsGreetedBySmtpAndAnswered() throws Exception {
        SmtpClient.assertConversation(port);
    }

    @Test
    void httpOnTheSamePortReachesNginx() throws Exception {
        assertEquals("nginx uri=/plain\n", curl("http://127.0.0.1:" + port + "/plain"));
    }

    @Test
    void httpsOnTheSamePortIsDecryptedAndReachesNginx() throws Exception {
        // -k: the certificate is the one StreamProx made at start-up; the handshake, not its trust, is under test.
        assertEquals("nginx uri=/secure\n", curl("-k", "https://127.0.0.1:" + port + "/secure"));
    }

    private static String curl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--fail", "--max-time", "20"));
        command.addAll(List.of(arguments));
        return Command.succeed(command);
    }
}
