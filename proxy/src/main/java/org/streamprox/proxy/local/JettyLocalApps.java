package org.streamprox.proxy.local;

import java.io.IOException;
import java.time.Duration;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.streamprox.proxy.http.HeadLimits;

/**
 * The in-process apps, served by one embedded Jetty 12 server that listens on no port of its own: the engine
 * hands it connections whose head it has read and routed, and Jetty reads the rest of each connection itself.
 * Handlers and WebSocket callbacks run on virtual threads.
 *
 * <p>Usage: create it, {@link #register} every app, {@link #start()} it before the proxy listener, and
 * {@link #stop(Duration)} it after the listener.
 */
public final class JettyLocalApps implements LocalApps, AutoCloseable {

    /** Jetty's own default; a plain HTTP connection left idle this long is closed. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Server server = new Server(new VirtualThreadPool());
    private final AppsByEndPoint apps = new AppsByEndPoint();
    private final HandOffConnector connector;

    /** Accepts heads up to the engine's default limit; idle HTTP connections close after 30 s. */
    public JettyLocalApps() {
        this(HeadLimits.DEFAULT_MAX_BYTES, DEFAULT_IDLE_TIMEOUT);
    }

    /**
     * @param headMaxBytes the engine's head limit: the head and the bytes read with it (never more than this)
     *                     must fit Jetty's input buffer and request-header limit
     * @param idleTimeout  how long a plain HTTP connection may stay silent; WebSocket sessions have their own
     */
    public JettyLocalApps(int headMaxBytes, Duration idleTimeout) {
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(Math.max(http.getRequestHeaderSize(), headMaxBytes));
        http.setSendServerVersion(false);
        HttpConnectionFactory factory = new HttpConnectionFactory(http);
        factory.setInputBufferSize(Math.max(factory.getInputBufferSize(), headMaxBytes));
        connector = new HandOffConnector(server, factory);
        connector.setIdleTimeout(idleTimeout.toMillis());
        server.addConnector(connector);
        server.setHandler(apps);
    }

    /**
     * Mounts a Jetty core handler under a name that routes can target with {@code local: NAME}. The handler sees
     * request paths as the client sent them. Register every app before {@link #start()}.
     */
    public JettyLocalApps register(String name, Handler app) {
        apps.add(name, app);
        return this;
    }

    /** The Jetty server, for apps that need it to build their handlers (WebSocket upgrade handlers do). */
    public Server server() {
        return server;
    }

    public JettyLocalApps start() throws Exception {
        server.start();
        return this;
    }

    @Override
    public boolean contains(String name) {
        return apps.contains(name);
    }

    @Override
    public void handOff(String name, HandOff handOff) throws IOException {
        if (!apps.contains(name)) {
            throw new IOException("no local app named '" + name + "'");
        }
        if (!server.isStarted()) {
            throw new IOException("local apps are not running");
        }
        connector.accept(Arrival.of(name, handOff));
    }

    /** Connections Jetty is serving for the apps, WebSocket sessions included. */
    public int openConnections() {
        return connector.getConnectedEndPoints().size();
    }

    /**
     * Lets requests in progress finish and closes WebSocket sessions with "going away", waiting up to
     * {@code timeout}; then closes whatever is left. Stop the proxy listener first, so nothing new arrives.
     */
    public void stop(Duration timeout) throws Exception {
        server.setStopTimeout(timeout.toMillis());
        server.stop();
    }

    @Override
    public void close() throws Exception {
        stop(DEFAULT_STOP_TIMEOUT);
    }
}
