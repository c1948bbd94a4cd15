package org.streamprox.proxy.route;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.proxy.net.IpAddresses;

/**
 * The conventional headers that tell an upstream who the client is, as a route adds them
 * ({@code forwarded-headers:}). What a client sent in them is dropped, since anyone can write them, unless the
 * client is a trusted proxy ({@code trusted-proxies:}): then its values are kept, and the client's address is
 * added to its list.
 */
public enum ForwardedHeaders {

    /** {@code X-Forwarded-For} (a list), {@code X-Forwarded-Proto}, {@code -Host} and {@code -Port}. */
    X_FORWARDED("x-forwarded"),
    /** RFC 7239's {@code Forwarded: for=...;proto=...;host=...;by=...} (a list). */
    FORWARDED("forwarded");

    /** Every field of both kinds, lower case: all are dropped from an untrusted client's head. */
    static final Set<String> FIELDS = Set.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
            "x-forwarded-port", "forwarded");

    private final String written;

    ForwardedHeaders(String written) {
        this.written = written;
    }

    /** {@code x-forwarded} or {@code forwarded}, as the configuration names it. */
    public static ForwardedHeaders named(String name) {
        for (ForwardedHeaders kind : values()) {
            if (kind.written.equals(name)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("expected x-forwarded or forwarded, not '" + name + "'");
    }

    /**
     * Puts this kind's fields into {@code fields} (name to the one value to send). The client's own fields are
     * already on their way out when it is not trusted.
     */
    void addTo(Map<String, String> fields, RequestHead head, RequestOrigin origin) {
        String proto = origin.tls() ? "https" : "http";
        Optional<String> host = head.headers().first("Host");
        switch (this) {
            case X_FORWARDED -> {
                fields.put("X-Forwarded-For", appended(head.headers().all("X-Forwarded-For"), origin,
                        IpAddresses.text(origin.client().getAddress())));
                keepOrSet(fields, head, origin, "X-Forwarded-Proto", Optional.of(proto));
                keepOrSet(fields, head, origin, "X-Forwarded-Host", host);
                keepOrSet(fields, head, origin, "X-Forwarded-Port",
                        Optional.of(Integer.toString(origin.listener().getPort())));
            }
            case FORWARDED -> {
                StringBuilder element = new StringBuilder("for=").append(node(origin.client().getAddress()))
                        .append(";proto=").append(proto);
                host.ifPresent(name -> element.append(";host=").append(quoted(name)));
                element.append(";by=").append(node(origin.listener().getAddress()));
                fields.put("Forwarded", appended(head.headers().all("Forwarded"), origin, element.toString()));
            }
        }
    }

    /** A trusted proxy's list with this hop added; else this hop alone. */
    private static String appended(List<String> sent, RequestOrigin origin, String hop) {
        return origin.trustedClient() && !sent.isEmpty() ? String.join(", ", sent) + ", " + hop : hop;
    }

    /** A trusted proxy's value stands, as the first proxy saw the request; else this hop's. */
    private static void keepOrSet(Map<String, String> fields, RequestHead head, RequestOrigin origin, String name,
                                  Optional<String> value) {
        if (origin.trustedClient() && head.headers().first(name).isPresent()) {
            return;
        }
        value.ifPresent(v -> fields.put(name, v));
    }

    /** RFC 7239 section 6: an IPv6 node is bracketed, and then quoted like any value that is not a token. */
    private static String node(InetAddress address) {
        return address instanceof Inet6Address ? "\"[" + IpAddresses.text(address) + "]\""
                : IpAddresses.text(address);
    }

    private static String quoted(String value) {
        boolean token = value.chars().allMatch(c -> c < 0x80
                && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0));
        return token ? value : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public String toString() {
        return written;
    }
}
