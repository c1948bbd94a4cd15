package org.streamprox.proxy.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.connection.ClientConnection;
import org.streamprox.proxy.connection.ListenerContext;
import org.streamprox.proxy.observe.AccessLog;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.ConnectionSummary;
import org.streamprox.proxy.observe.EngineMetrics;
import org.streamprox.proxy.observe.ListenerMetrics;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.transport.PlainTransport;

/**
 * One port: a blocking accept loop that admits each connection under the limits, gives it a record and starts
 * it on a virtual thread of its own. When every place is taken, a new connection takes the place of the one that
 * has waited longest for its head (see {@link UnfinishedHeads}). It keeps the book of the connections it serves, so a stop can drain them.
 * A reload gives it a new context without touching the listening socket: each connection keeps the one it was
 * accepted with.
 */
final class Listener {

    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);

    /** Pause after an accept failure such as running out of file descriptors, so the loop does not spin. */
    private static final long ACCEPT_BACKOFF_MILLIS = 50;

    /** The accept backlog asked for at least: the kernel's usual cap (net.core.somaxconn) since Linux 5.4. */
    private static final int MIN_ACCEPT_BACKLOG = 4096;

    /** How often a connection waiting for a place looks again for an unfinished head to let go. */
    private static final long PLACE_RECHECK_MILLIS = 50;

    private static final long LETTING_GO_REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Starts a connection's thread; apart from the listener so a test can make it fail. */
    @FunctionalInterface
    interface ConnectionThreads {

        ConnectionThreads VIRTUAL = (id, connection) ->
                Thread.ofVirtual().name("streamprox-conn-" + id).start(connection);

        void start(long id, Runnable connection);
    }

    private volatile ListenerContext context;
    private final ConnectionThreads threads;
    private final Admission admission;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    /** Connections handed to local apps, until they finish: listed with the others, drained by the apps. */
    private final Set<ConnectionRecord> servedByApps = ConcurrentHashMap.newKeySet();
    private final UnfinishedHeads unfinishedHeads = new UnfinishedHeads();
    private final ConnectionRecord.Ledger ledger = new Ledger();
    private final AtomicLong connectionIds;
    private final ServerSocketChannel serverChannel;
    private final InetSocketAddress boundAddress;
    private final ListenerMetrics metrics;
    private final int backlog;
    private Thread acceptLoop;
    private volatile boolean stopping;
    // Touched by the accept loop only.
    private long lastLettingGoReport = System.nanoTime() - LETTING_GO_REPORT_INTERVAL_NANOS;
    private int lettingGoSinceReport;

    /**
     * Binds the listening port; connections wait in the backlog until {@link #startAccepting()}.
     *
     * @param connectionIds numbers connections, shared by the process's listeners so the access log's are unique
     * @param metrics       where the listener's meters are kept, from now until it has drained
     */
    Listener(ListenerContext context, ConnectionThreads threads, AtomicLong connectionIds, EngineMetrics metrics)
            throws IOException {
        this.context = context;
        this.threads = threads;
        this.connectionIds = connectionIds;
        this.admission = new Admission(context.settings().connections());
        serverChannel = ServerSocketChannel.open();
        try {
            serverChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            // Room in the accept backlog for a burst, at least as many connections as there are places (HAProxy's
            // default; the kernel caps it at net.core.somaxconn), so it is queued, not its SYNs dropped for a 1 s retry.
            backlog = backlog(context);
            serverChannel.bind(context.settings().listen(), backlog);
            boundAddress = (InetSocketAddress) serverChannel.getLocalAddress();
        } catch (IOException e) {
            serverChannel.close();
            throw new IOException(AccessLog.address(context.settings().listen()) + ": " + e.getMessage(), e);
        }
        this.metrics = metrics.forListener(name(), admission::admitted);
    }

    private static int backlog(ListenerContext context) {
        return Math.max(MIN_ACCEPT_BACKLOG, context.settings().connections().maxConnections());
    }

    /** Starts the accept loop; once only. */
    void startAccepting() {
        // A virtual thread too: handing each accepted socket to a sibling virtual thread then costs no
        // cross-thread wake-up of a platform thread (measured: about 15% less CPU per new connection).
        acceptLoop = Thread.ofVirtual().name("streamprox-accept-" + boundAddress.getPort())
                .start(this::acceptConnections);
        LOG.info("listening on {}{}", name(), context.settings().tls().certificates().isPresent()
                ? " (TLS" + (context.settings().tls().required() ? " only)" : " and plain)") : "");
    }

    /**
     * Connections accepted from now on are served with this context (a reload's routes, limits, TLS and first-bytes
     * settings for the same address); those already accepted keep theirs. The listening socket stays as it is, so
     * its accept backlog keeps the length it was bound with.
     */
    void reconfigure(ListenerContext newContext) {
        admission.limit(newContext.settings().connections());
        context = newContext;
        if (backlog(newContext) != backlog) {
            LOG.info("{}: max-connections changed; the accept backlog stays at {} until a restart binds the port "
                    + "again", name(), backlog);
        }
    }

    /** The address the configuration gave (port 0 included), which a reload matches listeners by. */
    InetSocketAddress configuredAddress() {
        return context.settings().listen();
    }

    /** The bound address (useful when the configuration asked for port 0), also after stopping. */
    InetSocketAddress localAddress() {
        return boundAddress;
    }

    /** Connections being served on the engine's own threads: reading a head, answering, or tunnelling. */
    int openConnections() {
        return registry.size();
    }

    /** Connections counted against {@code max-connections}: those above plus the ones local apps are serving. */
    int admittedConnections() {
        return admission.admitted();
    }

    /** The connections open now, each as far as it has got: served on the engine's own threads or by local apps. */
    List<OpenConnection> connections() {
        String name = name();
        return Stream.concat(registry.snapshot().stream(), servedByApps.stream())
                .map(record -> new OpenConnection(name, record.summary())).toList();
    }

    /** Closes the listening socket and ends the accept loop, if it started; the connections it serves go on. */
    void stopAccepting() throws InterruptedException {
        stopping = true;
        try {
            serverChannel.close();
        } catch (IOException e) {
            LOG.warn("closing the listening socket failed: {}", e.getMessage());
        }
        if (acceptLoop != null) {
            acceptLoop.interrupt();
            acceptLoop.join();
        }
    }

    /**
     * After {@link #stopAccepting()}: waits up to {@code drain} for the connections it serves to finish, then cuts
     * what is left. Its open-connections gauge goes with it.
     *
     * @return whether every connection finished within the drain time
     */
    boolean drain(Duration drain) throws InterruptedException {
        LOG.info("{}: stopped accepting; draining {} for up to {} ms", name(), openConnectionsText(),
                drain.toMillis());
        boolean drained = registry.awaitEmpty(drain);
        if (!drained) {
            LOG.warn("{}: {} still after {} ms; closing them", name(), openConnectionsText(), drain.toMillis());
            registry.abortAll(Outcome.DRAIN_TIMEOUT);
            registry.awaitEmpty(Duration.ofSeconds(5));
        }
        metrics.close();
        return drained;
    }

    /**
     * The address as configured, with the port bound, as the access log writes addresses: a wildcard bound by a
     * dual-stack socket would read as IPv6.
     */
    String name() {
        return AccessLog.address(new InetSocketAddress(context.settings().listen().getAddress(),
                boundAddress.getPort()));
    }

    private void acceptConnections() {
        while (!stopping) {
            boolean placeTaken = admission.tryTakePlace();
            SocketChannel channel;
            try {
                channel = serverChannel.accept();
            } catch (ClosedChannelException e) {
                giveBack(placeTaken);
                return;
            } catch (IOException e) {
                giveBack(placeTaken);
                LOG.warn("accept failed: {}", e.getMessage());
                pauseAfterAcceptFailure();
                continue;
            }
            if (!placeTaken && !makeRoomFor(channel)) {
                return;
            }
            serve(channel);
        }
    }

    private void giveBack(boolean placeTaken) {
        if (placeTaken) {
            admission.cancelPlace();
        }
    }

    /**
     * Takes a place for a connection accepted while every place was taken: the connection that has waited longest
     * for its head, with nothing unread, gives its place up; when there is none (every place is a routed connection),
     * the new one waits for a connection to finish, as it would have in the accept backlog.
     *
     * @return false when the listener stopped while waiting (the new connection is then closed)
     */
    private boolean makeRoomFor(SocketChannel channel) {
        try {
            // Heads that are not idle now (bytes waiting) may be soon: look again while waiting for a place.
            do {
                if (unfinishedHeads.letOldestIdleGo()) {
                    reportLettingGo();
                    return true;
                }
            } while (!admission.tryTakePlace(PLACE_RECHECK_MILLIS));
            return true;
        } catch (InterruptedException e) {
            new PlainTransport(channel).close();
            return false;
        }
    }

    /** Says that the listener is full, once at first and then at most every ten seconds, with how often it was. */
    private void reportLettingGo() {
        lettingGoSinceReport++;
        long now = System.nanoTime();
        if (now - lastLettingGoReport >= LETTING_GO_REPORT_INTERVAL_NANOS) {
            LOG.warn("all {} places taken: {} new connection(s) took the place of one still waiting for its head"
                    + " (each answered 408 or closed; see the access log)",
                    context.settings().connections().maxConnections(), lettingGoSinceReport);
            lettingGoSinceReport = 0;
            lastLettingGoReport = now;
        }
    }

    /**
     * Starts serving an accepted connection. One that cannot be started is closed and logged, and the loop goes on
     * accepting.
     */
    private void serve(SocketChannel channel) {
        PlainTransport client = new PlainTransport(channel);
        long id = connectionIds.incrementAndGet();
        Admission.Slot place = admission.admit(client.peerAddress().getAddress());
        ConnectionRecord record = new ConnectionRecord(id, client.peerAddress(), place, ledger);
        // Made before the registry lists it: it tells the record how to cut it, should a drain time run out.
        // The context as it is now is the connection's for good, whatever a reload changes meanwhile.
        ClientConnection connection = new ClientConnection(context, client, record);
        registry.add(record);
        unfinishedHeads.add(record, client, place);
        try {
            threads.start(id, connection);
        } catch (RuntimeException e) {
            LOG.error("#{} could not start serving the connection; still accepting", id, e);
            client.close();
            record.finish(Outcome.internalError(e));
        }
    }

    /** {@code 1 open connection}, {@code 2 open connections}. */
    private String openConnectionsText() {
        int open = registry.size();
        return open + (open == 1 ? " open connection" : " open connections");
    }

    private void pauseAfterAcceptFailure() {
        try {
            Thread.sleep(ACCEPT_BACKOFF_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The listener's side of each connection's record. */
    private final class Ledger implements ConnectionRecord.Ledger {

        @Override
        public void headStageOver(ConnectionRecord connection) {
            unfinishedHeads.remove(connection);
        }

        @Override
        public void routed(ConnectionRecord connection, String route) {
            metrics.routed(route);
        }

        @Override
        public void handedOver(ConnectionRecord connection) {
            servedByApps.add(connection);
            registry.remove(connection);
        }

        @Override
        public void finished(ConnectionRecord connection, ConnectionSummary summary) {
            context.log().finished(summary);
            metrics.finished(summary);
            unfinishedHeads.remove(connection);
            registry.remove(connection);
            servedByApps.remove(connection);
        }
    }
}
