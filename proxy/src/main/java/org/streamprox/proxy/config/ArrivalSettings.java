package org.streamprox.proxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.streamprox.proxy.detect.NamedProbe;
import org.streamprox.proxy.net.AddressBlocks;

/**
 * How a listener reads a connection's first bytes, before any head, and learns who its client is.
 *
 * @param proxyHeadersFrom the peers that send a PROXY header before their client's bytes, and must
 *                         ({@code accept-proxy-protocol: { trusted: [...] }}); empty when no peer may
 * @param detectTimeout    how long a client may say nothing before it counts as waiting for the server to speak
 *                         first, and goes to the listener's {@code on-silence} route
 * @param namedProtocols   the protocols the configuration told by a regular expression, in its order
 * @param trustedProxies   the clients whose own forwarded headers ({@code X-Forwarded-For}, {@code Forwarded}) are
 *                         kept and added to ({@code trusted-proxies:}); empty when no client's are
 */
public record ArrivalSettings(Optional<AddressBlocks> proxyHeadersFrom, Duration detectTimeout,
                              List<NamedProbe> namedProtocols, Optional<AddressBlocks> trustedProxies) {

    /** sslh's default: long enough for a client that speaks first, short for an SMTP client's patience. */
    public static final Duration DEFAULT_DETECT_TIMEOUT = Duration.ofSeconds(2);
    public static final ArrivalSettings DEFAULTS = new ArrivalSettings(Optional.empty(), DEFAULT_DETECT_TIMEOUT,
            List.of(), Optional.empty());

    public ArrivalSettings {
        Objects.requireNonNull(proxyHeadersFrom, "proxyHeadersFrom");
        if (detectTimeout.isNegative() || detectTimeout.isZero()) {
            throw new IllegalArgumentException("the detect timeout must be positive, not " + detectTimeout);
        }
        namedProtocols = List.copyOf(namedProtocols);
        Objects.requireNonNull(trustedProxies, "trustedProxies");
    }

    /** The same, with PROXY headers from these peers. */
    public ArrivalSettings withProxyHeadersFrom(AddressBlocks peers) {
        return new ArrivalSettings(Optional.of(peers), detectTimeout, namedProtocols, trustedProxies);
    }
}
