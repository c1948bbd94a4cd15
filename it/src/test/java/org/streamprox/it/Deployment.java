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

    private Deployment(GenericContainer<?> upstream, GenericContainer<?> streamprox, int port) {
        this.upstream = upstream;
        this.streamprox = streamprox;
        this.port = port;
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
        GenericContainer<?> upstream = upstreamOnPort.apply(upstreamPort);
        upstream.start();
        GenericContainer<?> streamprox = Images.streamprox(port, configForUpstreamPort.apply(upstreamPort));
        try {
            streamprox.start();
        } catch (RuntimeException e) {
            upstream.stop();
            throw e;
        }
        return new Deployment(upstream, streamprox, port);
    }

    @Override
    public void close() {
        streamprox.stop();
        upstream.stop();
    }
}
