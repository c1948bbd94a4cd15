package org.streamprox.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * The containers of the suite, built locally by {@code it/setup-test-env.sh}: never pulled, always on the host
 * network, each bound to a loopback port the test chose.
 */
final class Images {

    static final String STREAMPROX_CONFIG = "/etc/streamprox.yaml";

    private Images() {
    }

    /** A free port on 127.0.0.1 for a container to bind. */
    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static GenericContainer<?> local(String image) {
        return new GenericContainer<>(DockerImageName.parse(image))
                .withImagePullPolicy(name -> false)
                .withNetworkMode("host");
    }

    /** Debian's nginx with one server block listening on 127.0.0.1:{@code port}. */
    static GenericContainer<?> nginx(int port, String serverBlockBody) {
        return nginx(port, "", serverBlockBody);
    }

    /**
     * Debian's nginx with one server block on 127.0.0.1:{@code port} whose queue of connections the kernel has
     * accepted for it holds only {@code backlog}: once the container is paused and that queue is full, a new connection
     * is not accepted but hangs, as one to a host that is gone does.
     */
    static GenericContainer<?> nginxWithBacklog(int port, int backlog, String serverBlockBody) {
        return nginx(port, " backlog=" + backlog, serverBlockBody);
    }

    /**
     * Debian's nginx speaking TLS only on 127.0.0.1:{@code port}, with this certificate chain and key (PEM), copied
     * to /etc/nginx/site.crt and /etc/nginx/site.key.
     */
    static GenericContainer<?> nginxTls(int port, byte[] certificate, byte[] key, String serverBlockBody) {
        return nginx(port, " ssl", "  ssl_certificate /etc/nginx/site.crt;\n"
                + "  ssl_certificate_key /etc/nginx/site.key;\n" + serverBlockBody)
                .withCopyToContainer(Transferable.of(certificate), "/etc/nginx/site.crt")
                .withCopyToContainer(Transferable.of(key), "/etc/nginx/site.key");
    }

    private static GenericContainer<?> nginx(int port, String listenParameters, String serverBlockBody) {
        String config = "server {\n  listen 127.0.0.1:" + port + listenParameters + ";\n" + serverBlockBody + "\n}\n";
        return local("streamprox/nginx:it")
                .withCopyToContainer(Transferable.of(config), "/etc/nginx/conf.d/it.conf")
                .waitingFor(LoopbackPort.accepting(port));
    }

    /** Debian's websocketd on 127.0.0.1:{@code port}, running {@code program} for every WebSocket. */
    static GenericContainer<?> websocketd(int port, String... program) {
        String[] command = new String[program.length + 3];
        command[0] = "websocketd";
        command[1] = "--address=127.0.0.1";
        command[2] = "--port=" + port;
        System.arraycopy(program, 0, command, 3, program.length);
        return local("streamprox/websocketd:it").withCommand(command).waitingFor(LoopbackPort.accepting(port));
    }

    /**
     * Debian's OpenSSH server on 127.0.0.1:{@code port}, where user {@code tester} logs in with the key whose public
     * half is {@code authorizedKey} (one OpenSSH-format line), and only with it.
     */
    static GenericContainer<?> sshd(int port, byte[] authorizedKey) {
        return local("streamprox/sshd:it")
                .withCopyToContainer(Transferable.of(authorizedKey), "/etc/ssh/authorized_keys/tester")
                .withCommand("/usr/sbin/sshd", "-D", "-e", "-p", String.valueOf(port), "-o", "ListenAddress=127.0.0.1")
                .waitingFor(LoopbackPort.greeting(port, "SSH-2.0-OpenSSH"));
    }

    /** Debian's OpenSMTPD on 127.0.0.1:{@code port}: it speaks first, {@code 220 smtp.it.test ESMTP OpenSMTPD}. */
    static GenericContainer<?> smtp(int port) {
        return local("streamprox/smtp:it")
                .withCommand("smtpd", "-d", "-D", "listen_port=" + port)
                .waitingFor(LoopbackPort.greeting(port, "220 "));
    }

    /** The packaged streamprox.jar with this configuration, listening on 127.0.0.1:{@code port}. */
    static GenericContainer<?> streamprox(int port, String yaml) {
        // The admin listener on a port of its own: the host's network is shared with whatever else runs.
        return streamprox(port, 0, yaml);
    }

    /**
     * The packaged streamprox.jar with this configuration, listening on 127.0.0.1:{@code port}, its admin listener on
     * 127.0.0.1:{@code adminPort} (0 for any free one).
     */
    static GenericContainer<?> streamprox(int port, int adminPort, String yaml) {
        // The admin listener starts once the listeners accept: a test that asks it waits for it too.
        String ready = adminPort == 0 ? "listening on 127\\.0\\.0\\.1:" + port
                : "admin listener on http://127\\.0\\.0\\.1:" + adminPort + "/";
        return local("streamprox/streamprox:it")
                .withCopyToContainer(Transferable.of(yaml), STREAMPROX_CONFIG)
                .withCommand("--config", STREAMPROX_CONFIG, "--listen", "127.0.0.1:" + port,
                        "--admin", "127.0.0.1:" + adminPort)
                .waitingFor(Wait.forLogMessage(".*" + ready + ".*", 1).withStartupTimeout(Duration.ofSeconds(60)));
    }
}
