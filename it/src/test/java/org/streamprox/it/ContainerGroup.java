package org.streamprox.it;

import java.util.ArrayDeque;
import java.util.Deque;
import org.testcontainers.containers.GenericContainer;

/**
 * Containers started one after the other and stopped together, newest first. No reaper runs here, so when one fails
 * to start, it and those already running are stopped before the failure goes on.
 */
final class ContainerGroup implements AutoCloseable {

    private final Deque<GenericContainer<?>> running = new ArrayDeque<>();

    <C extends GenericContainer<?>> C start(C container) {
        try {
            container.start();
        } catch (RuntimeException e) {
            container.stop();
            close();
            throw e;
        }
        running.push(container);
        return container;
    }

    @Override
    public void close() {
        while (!running.isEmpty()) {
            running.pop().stop();
        }
    }
}
