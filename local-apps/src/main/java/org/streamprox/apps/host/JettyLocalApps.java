package org.streamprox.apps.host;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jetty.JettyConnectionMetrics;
import io.micrometer.jetty12.server.TimedHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.streamprox.proxy.http.HeadLimits;
import org.streamprox.proxy.local.HandOff;
import org.streamprox.proxy.local.LocalApps;

/**
 * The in-process apps, served by one embedded Jetty 12 server that listens on no port of its own: the engine
 * hands it connections whose head it has read and routed, and Jetty reads the rest of each connection itself.
 * Handlers and WebSocket callbacks run on virtual threads.
 *
 * <p>Usage: create it, {@link #register} every app, and give it to {@code StreamProx.start}, which starts it before
 * the listener and stops it after.
 */
public final class JettyLocalApps implements LocalApps {

    /** Jetty's own default; a plain HTTP connection left idle this long is closed. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Free buffers Jetty keeps for reuse, in bytes, for heap and direct buffers each. Jetty's own default is an
     * eighth of the maximum heap (64 MiB of direct buffers at -Xmx512m, 790 MiB with a 6 GiB default heap).
     * 16 MiB, as much as the engine's own copy-buffer pool keeps at its default size, covers 1,000 concurrent
     * connections; beyond that Jetty allocates and drops buffers, which the garbage collector frees later (a 4 MiB
     * bound had a flood of 1,000 peak 100 MB higher, docs/operations.md "Memory").
     */
    static final long RETAINED_BUFFER_BYTES = 16L * 1024 * 1024;
    /** The pool is emptied when no buffer was asked for during a whole period of this length. */
    static final Duration BUFFER_IDLE_PERIOD = Duration.ofSeconds(10);

    private final IdleEmptiedBufferPool buffers = new IdleEmptiedBufferPool(RETAINED_BUFFER_BYTES);
    private final Server server = new Server(new VirtualThreadPool(), null, buffers);
    private final AppsByEndPoint apps = new AppsByEndPoint();
    private final Duration idleTimeout;
    private MeterRegistry meters;
    private volatile HandOffConnector connector;
    /** What new connections are configured with; set at start, raised by a reload. */
    private HttpConfiguration http;
    private HttpConnectionFactory factory;

    /** Idle HTTP connections close after 30 s. */
    public JettyLocalApps() {
        this(DEFAULT_IDLE_TIMEOUT);
    }

    /** @param idleTimeout how long a plain HTTP connection may stay silent; WebSocket sessions have their own */
    public JettyLocalApps(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
        server.setHandler(apps);
    }

    /**
     * Mounts a Jetty core handler under a name that routes can target with {@code local: NAME}. The handler sees
     * request paths as the client sent them. Register every app before the apps start.
     */
    public JettyLocalApps register(String name, Handler app) {
        apps.add(name, app);
        return this;
    }

    /**
     * Measures the apps into this registry once they start, with Micrometer's Jetty binders: request timings by
     * method, status and outcome ({@code jetty.server.requests}, and those in progress) and Jetty's connections
     * ({@code jetty.connections.*}). Call it before the apps start.
     */
    public synchronized JettyLocalApps measureWith(MeterRegistry registry) {
        if (connector != null) {
            throw new IllegalStateException("measure the local apps before they start");
        }
        meters = registry;
        return this;
    }

    /** The Jetty server, for apps that need it to build their handlers (WebSocket upgrade handlers do). */
    public Server server() {
        return server;
    }

    @Override
    public Set<String> names() {
        return apps.names();
    }

    /**
     * Starts Jetty with its input buffer and request-header limit raised to the engine's head limit: a hand-off's
     * buffered bytes (never more than that) must fit them.
     */
    @Override
    public synchronized void start(HeadLimits head) throws Exception {
        if (connector != null) {
            throw new IllegalStateException("the local apps are already started");
        }
        http = new HttpConfiguration();
        http.setSendServerVersion(false);
        factory = new HttpConnectionFactory(http);
        fitHeads(head);
        connector = new HandOffConnector(server, factory);
        connector.setIdleTimeout(idleTimeout.toMillis());
        server.addConnector(connector);
        if (meters != null) {
            TimedHandler timed = new TimedHandler(meters, Tags.empty());
            timed.setHandler(apps);
            server.setHandler(timed);
            connector.addBean(new JettyConnectionMetrics(meters, connector));
        }
        server.start();
        emptyBuffersWhenIdle();
    }

    /**
     * Raises Jetty's input buffer and request-header limit for connections handed off from now on, when a reload
     * raised the engine's head limit; never lowers them (see {@link LocalApps#headLimitsChanged}).
     */
    @Override
    public synchronized void headLimitsChanged(HeadLimits head) {
        if (connector != null) {
            fitHeads(head);
        }
    }

    /**
     * Both are read when Jetty makes a connection, on its selector thread: the engine's hand-off reaches it through
     * the selector's queue, after the reload that raised them.
     */
    private void fitHeads(HeadLimits head) {
        http.setRequestHeaderSize(Math.max(http.getRequestHeaderSize(), head.maxBytes()));
        factory.setInputBufferSize(Math.max(factory.getInputBufferSize(), head.maxBytes()));
    }

    /** Empties Jetty's buffer pool if the last period asked for no buffer, then again a period later. */
    private void emptyBuffersWhenIdle() {
        if (server.isRunning()) {
            buffers.emptyIfUnused();
            server.getScheduler().schedule(this::emptyBuffersWhenIdle, BUFFER_IDLE_PERIOD.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void handOff(HandOff handOff) throws IOException {
        if (!apps.contains(handOff.app())) {
            throw new IOException("no local app named '" + handOff.app() + "'");
        }
        if (!server.isStarted()) {
            throw new IOException("local apps are not running");
        }
        connector.accept(handOff);
    }

    /** Connections Jetty is serving for the apps, WebSocket sessions included. */
    public int openConnections() {
        return connector == null ? 0 : connector.getConnectedEndPoints().size();
    }

    /**
     * Lets requests in progress finish and closes WebSocket sessions with "going away", waiting up to
     * {@code timeout}; then closes whatever is left. The listener stops first, so nothing new arrives.
     */
    @Override
    public void stop(Duration timeout) throws Exception {
        server.setStopTimeout(timeout.toMillis());
        server.stop();
    }
}
