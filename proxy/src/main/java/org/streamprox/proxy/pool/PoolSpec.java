package org.streamprox.proxy.pool;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.streamprox.proxy.proxyprotocol.ProxyProtocolVersion;
import org.streamprox.proxy.tls.UpstreamTls;

/**
 * A pool as configured: its servers and everything about how they are chosen, reached and watched. Every route
 * that names the pool shares all of it.
 *
 * @param servers        at least one, none twice
 * @param connectTimeout how long one server may take to accept, and to finish its TLS handshake
 * @param tls            how to speak TLS to its servers, checks included; empty for plain TCP
 * @param proxyProtocol  the PROXY header its servers get first; empty for none
 * @param healthCheck    the active check; empty for none
 * @param slowStart      how long a server back from down takes to reach its full share; zero for at once
 */
public record PoolSpec(List<Server> servers, Policy policy, Duration connectTimeout, Retries retries,
                       Optional<UpstreamTls> tls, Optional<ProxyProtocolVersion> proxyProtocol,
                       Optional<HealthCheck> healthCheck, PassiveCheck passive, Duration slowStart,
                       Resolution resolution) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    public PoolSpec {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("a pool needs at least one server");
        }
        if (servers.stream().map(server -> server.host().toLowerCase(java.util.Locale.ROOT) + ":" + server.port())
                .distinct().count() != servers.size()) {
            throw new IllegalArgumentException("a server is listed twice: " + servers);
        }
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(retries, "retries");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(passive, "passive");
        Objects.requireNonNull(slowStart, "slowStart");
        Objects.requireNonNull(resolution, "resolution");
    }

    /**
     * Servers taken in turn with these connection settings, and the defaults for the rest: each server tried once,
     * no active check, passive checks when there is more than one server, names resolved every 30 s.
     */
    public static PoolSpec of(List<Server> servers, Duration connectTimeout, Optional<UpstreamTls> tls,
                              Optional<ProxyProtocolVersion> proxyProtocol) {
        return new PoolSpec(servers, Policy.ROUND_ROBIN, connectTimeout, Retries.EVERY_SERVER_ONCE, tls,
                proxyProtocol, Optional.empty(), servers.size() > 1 ? PassiveCheck.DEFAULT : PassiveCheck.OFF,
                Duration.ZERO, Resolution.DEFAULT);
    }
}
