package org.streamprox.it;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * An nginx in its container that answers every request with its own name ({@code n1\n}) and {@code /healthz} with
 * {@code ok}, so a client sees which server of a pool it reached; and the faults a test does to it: killed, paused
 * (frozen), started again.
 */
final class NamedNginx {

    /**
     * The kernel's queue of connections accepted for nginx holds one more than this: small, so that a frozen server's
     * queue is full after a few connections and the next ones hang unanswered, as they do to a host that is gone;
     * large enough that a running nginx on a busy machine does not see it overflow under the tests' load.
     */
    private static final int BACKLOG = 16;
    private static final int QUEUE_PROBE_TIMEOUT_MILLIS = 200;

    final String name;
    final int port;
    private final GenericContainer<?> container;
    private final DockerClient docker = DockerClientFactory.instance().client();
    /** Connections that fill a frozen server's queue, closed when it thaws. */
    private final List<Socket> queueFillers = new ArrayList<>();
    private boolean frozen;

    private NamedNginx(String name, int port, GenericContainer<?> container) {
        this.name = name;
        this.port = port;
        this.container = container;
    }

    /** Starts it on a free loopback port, in {@code containers}. */
    static NamedNginx start(ContainerGroup containers, String name) throws IOException {
        int port = Images.freePort();
        return new NamedNginx(name, port, containers.start(Images.nginxWithBacklog(port, BACKLOG, """
                  keepalive_requests 10000;
                  location = /healthz { default_type text/plain; return 200 "ok\\n"; }
                  location / { default_type text/plain; return 200 "%s\\n"; }
                """.formatted(name))));
    }

    /** {@code 127.0.0.1:PORT}, as a pool lists it. */
    String address() {
        return "127.0.0.1:" + port;
    }

    /**
     * SIGKILL: its port refuses connections at once; those it had are reset.
     *
     * @return {@link System#nanoTime()} from before the kill
     */
    long kill() {
        long killing = System.nanoTime();
        docker.killContainerCmd(container.getContainerId()).exec();
        return killing;
    }

    /** Starts the killed container again and returns {@link System#nanoTime()} once its port accepts. */
    long restart() {
        docker.startContainerCmd(container.getContainerId()).exec();
        LoopbackPort.accepting(port).waitUntilReady(container);
        return System.nanoTime();
    }

    /**
     * Pauses it, then fills its queue: from then on a connection to it is neither accepted nor refused, and a
     * connect times out. Connections already in the queue are answered when it {@link #thaw thaws}.
     *
     * @return {@link System#nanoTime()} from before it was paused
     */
    long freeze() throws IOException {
        long pausing = System.nanoTime();
        docker.pauseContainerCmd(container.getContainerId()).exec();
        frozen = true;
        for (int i = 0; i <= 2 * BACKLOG; i++) {
            Socket filler = new Socket();
            try {
                filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                        QUEUE_PROBE_TIMEOUT_MILLIS);
            } catch (SocketTimeoutException full) {
                filler.close();
                return pausing;
            }
            queueFillers.add(filler);
        }
        throw new IllegalStateException(name + "'s queue took " + queueFillers.size() + " connections and is not full");
    }

    /** Unpauses it; returns {@link System#nanoTime()} from when it runs again. */
    long thaw() throws IOException {
        docker.unpauseContainerCmd(container.getContainerId()).exec();
        long thawed = System.nanoTime();
        frozen = false;
        for (Socket filler : queueFillers) {
            filler.close();
        }
        queueFillers.clear();
        return thawed;
    }

    /** Back to serving, whatever a test did to it. */
    void serveAgain() throws IOException {
        if (frozen) {
            thaw();
        }
        if (!Boolean.TRUE.equals(docker.inspectContainerCmd(container.getContainerId()).exec().getState()
                .getRunning())) {
            restart();
        }
    }

    @Override
    public String toString() {
        return name + " (" + address() + ")";
    }
}
