package org.streamprox.proxy.observe;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.streamprox.proxy.proxyprotocol.ProxyAddresses;
import org.streamprox.proxy.proxyprotocol.ProxyHeader;

/**
 * What is known about one connection, from accept to its end, and the one place it ends. The engine's stages, the
 * copy loops and a local app's side of a hand-off only report to it: the first request, the route, bytes, and at
 * last the outcome. {@link #finish(Outcome)} counts once, however many parts of the connection race to end it.
 */
public final class ConnectionRecord {

    /** The connection's place under the listener's limits. */
    public interface Place {

        /** Whether this client already had its maximum of connections when this one arrived. */
        boolean overClientLimit();

        /**
         * The connection is another client's than its peer's: a proxy's PROXY header named it. It counts against
         * that client's limit from now on, and no longer against the proxy's.
         */
        void movedTo(InetAddress client);

        /**
         * The head stage is over: keeps the place, unless the listener, full, passed it on to a newer connection
         * while the head was coming. Decided at once, without waiting for any lock.
         *
         * @return whether the connection keeps its place
         */
        boolean keep();

        /** Gives the place back; called once, when the connection finishes. */
        void release();
    }

    /** The listener's book of its connections: which the engine serves, and where finished ones are reported. */
    public interface Ledger {

        /** The connection is done reading its head, whether it got one or not: it is no longer one to let go. */
        void headStageOver(ConnectionRecord connection);

        /** A route took the connection; called once, before it is served there. */
        void routed(ConnectionRecord connection, String route);

        /** The engine no longer serves the connection: a local app does, and will finish it. */
        void handedOver(ConnectionRecord connection);

        /** The connection is over; called once, before its place is given back. */
        void finished(ConnectionRecord connection, ConnectionSummary summary);
    }

    private final long id;
    /** The peer until a PROXY header names the client behind it; only the connection's own thread changes it. */
    private volatile InetSocketAddress client;
    private InetSocketAddress proxiedBy;
    /** Where the client connected to, when a PROXY header said; else the listener's own address. */
    private InetSocketAddress destination;
    private String protocol;
    private String detected;
    private final long startNanos = System.nanoTime();
    private final Place place;
    private final Ledger ledger;
    private final AtomicBoolean finished = new AtomicBoolean();
    /** How to cut the connection from another thread: it changes as the connection moves through its stages. */
    private volatile Consumer<Outcome> cut = outcome -> { };
    // Written by whoever serves the connection at the time; the hand-off and the finishing CAS order the writes.
    private String method;
    private String path;
    private String route;
    private String target;
    private ConnectionSummary.TlsSummary tls;
    private ConnectionSummary.TlsHandshake tlsHandshake = ConnectionSummary.TlsHandshake.NONE;
    private Duration headRead;
    private ConnectionSummary.UpstreamConnect upstreamConnect;
    private long bytesFromClient;
    private long bytesToClient;
    /** Bytes a tunnel is still copying, added to those counted above. */
    private volatile LiveBytes copying = LiveBytes.NONE;
    private int responseStatus;
    private Outcome outcome;

    /**
     * @param id     the listener's number for the connection
     * @param client the client's address
     */
    public ConnectionRecord(long id, InetSocketAddress client, Place place, Ledger ledger) {
        this.id = id;
        this.client = client;
        this.place = place;
        this.ledger = ledger;
    }

    /**
     * A trusted proxy's PROXY header came first: the client it names is this connection's client from now on, for
     * the access log, the per-client limit, local apps and the PROXY header sent onward. A header of the LOCAL
     * command (the proxy's own health check) names none.
     */
    public void proxied(ProxyHeader header) {
        if (header.command() == ProxyHeader.Command.PROXY
                && header.addresses() instanceof ProxyAddresses.Tcp(InetSocketAddress source, InetSocketAddress to)) {
            proxiedBy = client;
            client = source;
            destination = to;
            place.movedTo(source.getAddress());
        }
    }

    /** Where the client connected to, when a proxy's PROXY header said. */
    public Optional<InetSocketAddress> destination() {
        return Optional.ofNullable(destination);
    }

    /** The server name the client asked for in its ClientHello, when it came over TLS with one. */
    public Optional<String> serverName() {
        return Optional.ofNullable(tls).map(ConnectionSummary.TlsSummary::serverName);
    }

    /** A protocol other than HTTP that the first bytes spoke ({@code ssh}), or {@code silent}. */
    public void protocol(String name) {
        protocol = name;
    }

    /** What the first bytes were taken for, when the listener told them apart ({@code http}, {@code unknown}). */
    public void detected(String label) {
        detected = label;
    }

    /** The client: the peer, or the one its PROXY header named. */
    public InetSocketAddress client() {
        return client;
    }

    /** The first request's method and path, and the bytes read to get its head; its head is read now. */
    public void firstRequest(String requestMethod, String requestPath, long headBytes) {
        method = requestMethod;
        path = requestPath;
        bytesFromClient += headBytes;
        headRead = Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /**
     * Reports that the head stage is over, whether a head came or not.
     *
     * @return whether the connection keeps its place (see {@link Place#keep()})
     */
    public boolean headStageOver() {
        boolean kept = place.keep();
        ledger.headStageOver(this);
        return kept;
    }

    /** The route that matched and where it sends the connection ({@code remote host:port}, {@code local app}). */
    public void routed(String routeName, String routeTarget) {
        route = routeName;
        target = routeTarget;
        ledger.routed(this, routeName);
    }

    /** The one server a route with several reached: it replaces the route's list as the target the log shows. */
    public void reached(String server) {
        target = server;
    }

    /** How the connection spoke TLS; a later call (after termination) replaces an earlier one (the ClientHello). */
    public void tls(ConnectionSummary.TlsSummary how) {
        tls = how;
    }

    /** Whether the engine's TLS handshake with the client was done, or failed. */
    public void tlsHandshake(ConnectionSummary.TlsHandshake how) {
        tlsHandshake = how;
    }

    /** Connecting to the upstream took this long, and reached it or not. */
    public void upstreamConnect(boolean connected, Duration took) {
        upstreamConnect = new ConnectionSummary.UpstreamConnect(connected, took);
    }

    /** The status of the first response to the client; only the first call with a status counts. */
    public void respondedWith(int status) {
        if (responseStatus == 0) {
            responseStatus = status;
        }
    }

    public void countBytes(long fromClient, long toClient) {
        bytesFromClient += fromClient;
        bytesToClient += toClient;
    }

    /** A tunnel copies the connection's bytes from now on: what it has copied counts, as it grows. */
    public void copying(LiveBytes tunnel) {
        copying = tunnel;
    }

    /** What {@link #abort} does from now on. */
    public void onAbort(Consumer<Outcome> action) {
        cut = action;
    }

    /** Cuts the connection from another thread, for example when the drain time runs out. */
    public void abort(Outcome why) {
        cut.accept(why);
    }

    /** A local app serves the connection from now on; the engine will not finish it. */
    public void handOver() {
        ledger.handedOver(this);
    }

    /**
     * Ends the connection's account: reports it, gives its place back, takes it off the listener's book. Only the
     * first call counts.
     *
     * @return whether this call was the first
     */
    public boolean finish(Outcome how) {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        outcome = how;
        ledger.finished(this, summary());
        place.release();
        return true;
    }

    public boolean overClientLimit() {
        return place.overClientLimit();
    }

    public long id() {
        return id;
    }

    /**
     * What is known now; once finished, with the outcome. Another thread may ask while the connection runs (the
     * admin listener's open connections): it reads the fields as they happen to be, which may miss a value written
     * just then, but never stops or slows the connection.
     */
    public ConnectionSummary summary() {
        LiveBytes tunnel = copying;
        return new ConnectionSummary(id, client, proxiedBy, protocol, method, path, route, target, tls,
                responseStatus, bytesFromClient + tunnel.bytesFromClient(), bytesToClient + tunnel.bytesToClient(),
                Duration.ofNanos(System.nanoTime() - startNanos), outcome,
                new ConnectionSummary.Stages(detected, tlsHandshake, headRead, upstreamConnect));
    }
}
