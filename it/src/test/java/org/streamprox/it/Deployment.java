package org.streamprox.it;

import java.io.IOException;
import java.util.function.IntFunction;
import org.testcontainers.containers.GenericContainer;

/** An upstream container and the StreamProx container in front of it, started and stopped together. */
final class Deployment implements AutoCloseable {

    final GenericContainer<?> upstream;
    final GenericContainer<?> streamprox;
    /** The port StreamProx listens on, on 127.0.0.1. */
    final int port;
    private final ContainerGroup containers;

    private Deployment(GenericContainer<?> upstream, GenericContainer<?> streamprox, int port,
                       ContainerGroup containers) {
        this.upstream = upstream;
        this.streamprox = streamprox;
        this.port = port;
        this.containers = containers;
    }

    /**
     * Starts the upstream on a free loopback port, then StreamProx with the configuration written for that port.
     *
     * @param upstreamOnPort        the upstream container, given the port it must listen on
     * @param configForUpstreamPort StreamProx's YAML, given the upstream's port
     */
    static Deployment start(IntFunction<GenericContainer<?>> upstreamOnPort, IntFunction<String> configForUpstreamPort)
            throws IOException {
        int upstreamPort = Images.freePort();
        int port = Images.freePort();
        ContainerGroup containers = new ContainerGroup();
        GenericContainer<?> upstream = containers.start(upstreamOnPort.apply(upstreamPort));
        GenericContainer<?> streamprox = containers.start(
                Images.streamprox(port, configForUpstreamPort.apply(upstreamPort)));
        return new Deployment(upstream, streamprox, port, containers);
    }

    @Override
    public void close() {
        containers.close();
    }
}
