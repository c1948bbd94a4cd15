package org.streamprox.proxy.route;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.streamprox.proxy.pool.Member;
import org.streamprox.proxy.pool.Pool;
import org.streamprox.proxy.pool.PoolSpec;
import org.streamprox.proxy.pool.Server;
import org.streamprox.proxy.proxyprotocol.ProxyProtocolVersion;
import org.streamprox.proxy.tls.UpstreamTls;

/** Where a route sends its connections. */
public sealed interface Target {

    /** For logs: {@code remote host:port}, {@code local NAME}, {@code passthrough host:port} or {@code redirect 308}. */
    String describe();

    /**
     * A server elsewhere, one of a pool's, reached over TCP, or over TLS when the pool speaks it (re-encrypting what a
     * client sent in TLS, or encrypting what it sent in plain). Several routes may share one pool.
     */
    record Remote(Pool pool) implements Target {

        public static final Duration DEFAULT_CONNECT_TIMEOUT = PoolSpec.DEFAULT_CONNECT_TIMEOUT;

        public Remote {
            Objects.requireNonNull(pool, "pool");
        }

        /**
         * One server.
         *
         * @param connectTimeout how long to wait for the upstream to accept, and to finish its TLS handshake,
         *                       before answering {@code 504}
         * @param tls            how to speak TLS to it; empty for plain TCP
         * @param proxyProtocol  the PROXY header to send it first, naming the client; empty for none
         */
        public Remote(String host, int port, Duration connectTimeout, Optional<UpstreamTls> tls,
                      Optional<ProxyProtocolVersion> proxyProtocol) {
            this(new Pool(host + ":" + port, PoolSpec.of(List.of(new Server(host, port)), connectTimeout, tls,
                    proxyProtocol)));
        }

        /** No PROXY header. */
        public Remote(String host, int port, Duration connectTimeout, Optional<UpstreamTls> tls) {
            this(host, port, connectTimeout, tls, Optional.empty());
        }

        /** Plain TCP. */
        public Remote(String host, int port, Duration connectTimeout) {
            this(host, port, connectTimeout, Optional.empty());
        }

        public Remote(String host, int port) {
            this(host, port, DEFAULT_CONNECT_TIMEOUT);
        }

        public Duration connectTimeout() {
            return pool.spec().connectTimeout();
        }

        public Optional<UpstreamTls> tls() {
            return pool.spec().tls();
        }

        public Optional<ProxyProtocolVersion> proxyProtocol() {
            return pool.spec().proxyProtocol();
        }

        /** For logs: {@code remote host:port}, or {@code remote host:port,host:port} for several servers. */
        @Override
        public String describe() {
            return kind() + servers();
        }

        /** For logs: the one server a connection reached, as {@link #describe()} names the route's. */
        public String describe(Member member) {
            return kind() + member.name();
        }

        /** The servers joined by commas, no spaces: the access log's target is one field. */
        String servers() {
            return pool.spec().servers().stream().map(Server::toString).collect(Collectors.joining(","));
        }

        private String kind() {
            return tls().isPresent() ? "remote tls " : "remote ";
        }
    }

    /** An in-process app registered under a name; the connection is handed to it, not copied. */
    record Local(String app) implements Target {

        public Local {
            Objects.requireNonNull(app, "app");
        }

        @Override
        public String describe() {
            return "local " + app;
        }
    }

    /**
     * A server elsewhere that gets the client's TLS as it is, ClientHello included: nothing is decrypted, and the
     * route is chosen on the ClientHello alone.
     */
    record PassThrough(Remote upstream) implements Target {

        public PassThrough {
            Objects.requireNonNull(upstream, "upstream");
        }

        @Override
        public String describe() {
            return "passthrough " + upstream.servers();
        }
    }

    /**
     * No server: the engine answers with a redirect, as a plain HTTP port sends browsers to the HTTPS one.
     *
     * @param status   301, 302, 303, 307 or 308
     * @param location where to, with the request's host and path filled in
     */
    record Redirect(int status, RedirectTemplate location) implements Target {

        public static final Set<Integer> STATUSES = Set.of(301, 302, 303, 307, 308);

        public Redirect {
            if (!STATUSES.contains(status)) {
                throw new IllegalArgumentException("a redirect status is one of 301, 302, 303, 307, 308, not " + status);
            }
            Objects.requireNonNull(location, "location");
        }

        @Override
        public String describe() {
            return "redirect " + status;
        }
    }
}
