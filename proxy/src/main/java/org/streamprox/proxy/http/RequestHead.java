package org.streamprox.proxy.http;

import java.util.Optional;

/**
 * The first request of a connection as the engine saw it: the parsed request line and header fields, and the
 * exact bytes they came in.
 *
 * @param method  the request method, for example {@code GET}
 * @param target  the request target as sent: origin-form {@code /a?b}, absolute-form {@code http://h/a},
 *                authority-form {@code h:443} or {@code *}
 * @param path    the target's path without query; empty for the authority form
 * @param version the protocol version, for example {@code HTTP/1.1}
 * @param headers the header fields; empty when only the request line was read
 * @param raw     the head's bytes, line ends included, exactly as received
 */
public record RequestHead(String method, String target, String path, String version, HeaderFields headers,
                          byte[] raw) {

    /** Whether the head includes a header block (it was read up to the empty line, not just the request line). */
    public boolean hasHeaderBlock() {
        int n = raw.length;
        return n >= 4 && raw[n - 4] == '\r' && raw[n - 3] == '\n' && raw[n - 2] == '\r' && raw[n - 1] == '\n';
    }

    /**
     * The host the request is for, without port, lower case: the authority of an absolute-form target, else the
     * {@code Host} header.
     */
    public Optional<String> host() {
        String authority = RequestTarget.authority(target);
        if (authority == null) {
            authority = headers.first("Host").orElse(null);
        }
        return Optional.ofNullable(authority).map(RequestTarget::hostWithoutPort).filter(h -> !h.isEmpty());
    }
}
