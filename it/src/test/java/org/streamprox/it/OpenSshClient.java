package org.streamprox.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.streamprox.testkit.Command;

/** This machine's OpenSSH client, logging in as {@code tester} with a key pair of its own made by ssh-keygen. */
final class OpenSshClient {

    private final Path key;

    private OpenSshClient(Path key) {
        this.key = key;
    }

    /** A client with a new ed25519 key pair in {@code directory}, without a passphrase. */
    static OpenSshClient withNewKey(Path directory) throws IOException, InterruptedException {
        Path key = directory.resolve("id_ed25519");
        Command.succeed("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "streamprox-it", "-f", key.toString());
        return new OpenSshClient(key);
    }

    /** The public key, one line, as sshd's authorized_keys holds it. */
    byte[] publicKey() throws IOException {
        return Files.readAllBytes(key.resolveSibling(key.getFileName() + ".pub"));
    }

    /** Logs in to 127.0.0.1:{@code port}, runs {@code command} there and returns what it printed; fails if ssh does. */
    String run(int port, String... command) throws IOException, InterruptedException {
        List<String> ssh = new ArrayList<>(List.of("ssh", "-F", "/dev/null", "-i", key.toString(),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
                // Each container has host keys of its own, and nothing about them is under test.
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                // Errors only: the warning about an added host key would mix into the command's output.
                "-o", "LogLevel=ERROR",
                "-p", String.valueOf(port), "tester@127.0.0.1"));
        ssh.addAll(List.of(command));
        return Command.succeed(ssh);
    }
}
