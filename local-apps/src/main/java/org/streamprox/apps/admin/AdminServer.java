package org.streamprox.apps.admin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.apps.FixedResponse;
import org.streamprox.apps.admin.AdminPaths.Endpoint;
import org.streamprox.proxy.observe.AccessLog;

/**
 * The admin listener: a Jetty server of its own on its own address, for operators and their tools. {@code /metrics}
 * (Prometheus), {@code /healthz}, {@code /readyz}, {@code /config}, {@code /connections}, {@code /pools}, the status
 * page at {@code /} and {@code /status} with its {@code /status.json}, {@code POST /reload} and
 * {@code POST /pools/server} (drain a server); docs/operations.md, "Admin listener" and "Pools", says what each
 * answers.
 *
 * <p>Start it once the proxy's listeners are bound, and close it after the proxy has stopped, so it answers all
 * through the drain ({@code /readyz} says 503 then). Starting it binds the JVM's and the process's meters to the
 * registry; closing it unbinds what needs it.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    /** How often the status page's traffic history takes a point. */
    static final long SAMPLE_INTERVAL_MILLIS = 1000;

    private final Server server = new Server(new VirtualThreadPool());
    private final ServerConnector connector;
    private final ProcessMeters processMeters;
    private final TrafficHistory history;

    private AdminServer(InetSocketAddress address, AdminSources sources) {
        processMeters = new ProcessMeters(sources.registry());
        EngineMeters meters = new EngineMeters(sources.registry());
        history = new TrafficHistory(meters, sources.proxy()::admittedConnections);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(address.getAddress().getHostAddress());
        connector.setPort(address.getPort());
        server.addConnector(connector);
        FixedResponse page = FixedResponse.page("/org/streamprox/apps/admin/status.html");
        server.setHandler(new AdminPaths(Map.ofEntries(
                Map.entry("/", Endpoint.get(page)),
                Map.entry("/status", Endpoint.get(page)),
                Map.entry("/status.json", Endpoint.get(
                        new StatusEndpoint(sources.proxy(), sources.reloader()::config, meters, history))),
                Map.entry("/metrics", Endpoint.get(new MetricsEndpoint(sources.registry()))),
                Map.entry("/healthz", Endpoint.get(FixedResponse.text("ok\n"))),
                Map.entry("/readyz", Endpoint.get(new ReadinessEndpoint(sources.proxy()))),
                Map.entry("/config", Endpoint.get(new ConfigEndpoint(sources.reloader()::config))),
                Map.entry("/connections", Endpoint.get(new ConnectionsEndpoint(sources.proxy()))),
                Map.entry("/pools", Endpoint.get(new PoolsEndpoint(sources.proxy()))),
                Map.entry("/pools/server", Endpoint.post(new ServerModeEndpoint(sources.proxy()))),
                Map.entry("/reload", Endpoint.post(new ReloadEndpoint(sources.reloader()::reload))))));
    }

    /**
     * Binds the address and starts answering.
     *
     * @throws IOException when the address cannot be bound; its message names the address
     */
    public static AdminServer start(InetSocketAddress address, AdminSources sources) throws IOException {
        AdminServer admin = new AdminServer(address, sources);
        try {
            admin.server.start();
        } catch (Exception e) {
            admin.close();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException(AccessLog.address(address) + " (the admin listener): " + cause.getMessage(), e);
        }
        admin.sampleTraffic();
        LOG.info("admin listener on http://{}/ (status page; /metrics, /healthz, /readyz, /config, /connections, /pools)",
                AccessLog.address(admin.localAddress()));
        return admin;
    }

    /** The bound address (useful when the configuration asked for port 0). */
    public InetSocketAddress localAddress() {
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    /** Takes a point of traffic history now, and again every interval while the server runs. */
    private void sampleTraffic() {
        if (server.isRunning()) {
            history.sample();
            server.getScheduler().schedule(this::sampleTraffic, SAMPLE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops answering and closes its connections; the registry stays the caller's. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the admin listener failed", e);
        } finally {
            processMeters.close();
        }
    }
}
