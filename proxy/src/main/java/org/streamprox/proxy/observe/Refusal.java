package org.streamprox.proxy.observe;

import java.util.Locale;

/**
 * Why the engine refused a connection, in the few words the metrics count by: unlike the access log's reasons, a
 * fixed set, so a label never grows with what clients send.
 */
public enum Refusal {
    /**
     * The head, or what comes before it (the first bytes, a PROXY header, a ClientHello, the TLS handshake), not
     * complete before {@code head.timeout}; or nothing sent at all.
     */
    HEAD_TIMEOUT,
    /** A head over {@code head.max-bytes} or {@code head.max-headers} ({@code 431}). */
    HEAD_TOO_LARGE,
    /**
     * A head the engine does not accept: malformed, ambiguous framing, too many reads, a version other than HTTP/1.x
     * ({@code 400}, {@code 505}).
     */
    BAD_REQUEST,
    /** No route matched ({@code 404}). */
    NO_ROUTE,
    /** The client's address already had {@code max-connections-per-client} connections ({@code 429}). */
    CLIENT_LIMIT,
    /** The listener was full and gave the connection's place, while its head was still coming, to a newer one. */
    LISTENER_FULL,
    /** A PROXY header from a peer not trusted to send one, or a trusted proxy's header missing or malformed. */
    PROXY_HEADER,
    /** Bytes that are not HTTP, and no route for the protocol they speak. */
    UNKNOWN_PROTOCOL,
    /** Plain HTTP on a listener with {@code tls.required}. */
    TLS_REQUIRED,
    /** A ClientHello refused with a TLS alert: malformed, or nothing to pass it through to or terminate it with. */
    TLS_ALERT,
    /** The engine's TLS handshake with the client failed (no shared version or cipher suite, a bad record). */
    TLS_HANDSHAKE,
    /** The upstream refused, was unreachable or could not be resolved, or its TLS failed ({@code 502}). */
    UPSTREAM_UNREACHABLE,
    /** The upstream did not accept, or finish its TLS handshake, within {@code connect-timeout} ({@code 504}). */
    UPSTREAM_TIMEOUT;

    private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** As the metrics write it: {@code head-timeout}, {@code no-route}. */
    public String label() {
        return label;
    }
}
