package org.streamprox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The servers that {@link ProtocolsIT} puts behind StreamProx, reached directly: OpenSSH lets the test's key log in
 * and run a command, and OpenSMTPD greets first and answers. When ProtocolsIT fails and this passes, StreamProx is
 * the cause.
 */
class ProtocolServersIT {

    @TempDir
    static Path directory;

    private static ContainerGroup containers;
    private static OpenSshClient ssh;
    private static int sshPort;
    private static int smtpPort;

    @BeforeAll
    static void start() throws Exception {
        ssh = OpenSshClient.withNewKey(directory);
        sshPort = Images.freePort();
        smtpPort = Images.freePort();
        containers = new ContainerGroup();
        containers.start(Images.sshd(sshPort, ssh.publicKey()));
        containers.start(Images.smtp(smtpPort));
    }

    @AfterAll
    static void stop() {
        containers.close();
    }

    @Test
    void openSshLogsInWithTheTestsKeyAndRunsACommand() throws Exception {
        assertEquals("hello\n", ssh.run(sshPort, "echo", "hello"));
    }

    @Test
    void openSmtpdGreetsASilentClientAndAnswersIt() throws Exception {
        SmtpClient.assertConversation(smtpPort);
    }
}
