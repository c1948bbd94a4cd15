package org.streamprox.proxy.observe;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A connection as the access log and the metrics see it, taken from its record when it finishes: plain values, safe
 * to hand to any thread.
 *
 * @param id              the listener's number for the connection
 * @param client          the client's address: the peer's, or the one its PROXY header named
 * @param proxiedBy       the proxy that sent a PROXY header naming the client, or null
 * @param protocol        the protocol the first bytes spoke when not HTTP or TLS ({@code ssh}), {@code silent} for a
 *                        client that said nothing first, or null
 * @param method          the first request's method, or null if no head was read
 * @param path            the first request's path, or null if no head was read
 * @param route           the name of the route that matched, or null
 * @param target          where the route sent it ({@code remote host:port}, {@code local app}), or null
 * @param tls             how it spoke TLS, or null for plain: see {@link TlsSummary}
 * @param responseStatus  the status of the first response the client got, or 0 if none was seen
 * @param bytesFromClient bytes read from the client, the head included
 * @param bytesToClient   bytes written to the client
 * @param duration        from accept to the summary
 * @param outcome         how it ended
 * @param stages          how it went through the engine's stages, for the metrics
 */
public record ConnectionSummary(long id, InetSocketAddress client, InetSocketAddress proxiedBy, String protocol,
                                String method, String path, String route, String target, TlsSummary tls,
                                int responseStatus, long bytesFromClient, long bytesToClient, Duration duration,
                                Outcome outcome, Stages stages) {

    /**
     * A TLS connection as the access log shows it.
     *
     * @param protocol   {@code tls1.3} or {@code tls1.2} when the engine terminated it, {@code passthrough} when it
     *                   forwarded it unread
     * @param serverName the name the client asked for (SNI), or null
     * @param alpn       the application protocol agreed on when terminated, those offered (comma separated) when
     *                   passed through, or null
     */
    public record TlsSummary(String protocol, String serverName, String alpn) {
    }

    /**
     * How a connection went through the engine's stages before it was served: what the metrics time and count
     * besides its outcome and bytes.
     *
     * @param detected        what its first bytes were taken for ({@code http}, {@code tls}, {@code ssh}, a
     *                        {@code protocols:} name, {@code silent}, {@code unknown}, ...), or null on a listener
     *                        with nothing to tell apart
     * @param tlsHandshake    how the engine's own TLS handshake with the client went
     * @param headRead        from accept until the first request's head was read, whatever came before it (a PROXY
     *                        header, a TLS handshake) included; null when no head was read
     * @param upstreamConnect connecting to the upstream, or null when none was tried
     */
    public record Stages(String detected, TlsHandshake tlsHandshake, Duration headRead,
                         UpstreamConnect upstreamConnect) {
    }

    /** The engine's TLS handshake with a client: none (plain, or passed through unread), done, or failed. */
    public enum TlsHandshake {
        /** The engine did not try: the connection was plain, or its TLS was passed through. */
        NONE,
        /** The engine terminated the client's TLS. */
        DONE,
        /** TLS came for the engine to terminate, and it could not: the ClientHello refused, the handshake failed. */
        FAILED
    }

    /**
     * Connecting to a remote route's upstream, its TLS handshake and the PROXY header included.
     *
     * @param connected whether the upstream was reached (else the client was answered {@code 502} or {@code 504})
     * @param took      how long it took, until connected or refused
     */
    public record UpstreamConnect(boolean connected, Duration took) {
    }
}
