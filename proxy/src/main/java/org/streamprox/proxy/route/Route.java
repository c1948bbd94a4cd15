package org.streamprox.proxy.route;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.streamprox.proxy.http.RequestHead;

/**
 * A named destination for connections.
 *
 * @param name        shown in the access log
 * @param target      where the connection goes
 * @param rewrite     changes to the head before it is forwarded to a remote target
 * @param idleTimeout for remote targets, how long both directions may stay silent before the connection is
 *                    closed; empty for no limit
 * @param upgradedIdleTimeout the same for connections whose first request asks for a protocol upgrade
 *                    (WebSocket), which are often quiet for long; empty to use {@code idleTimeout}
 */
public record Route(String name, Target target, HeadRewrite rewrite, Optional<Duration> idleTimeout,
                    Optional<Duration> upgradedIdleTimeout) {

    public Route {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(rewrite, "rewrite");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(upgradedIdleTimeout, "upgradedIdleTimeout");
    }

    /** A route with one idle timeout for every connection. */
    public Route(String name, Target target, HeadRewrite rewrite, Optional<Duration> idleTimeout) {
        this(name, target, rewrite, idleTimeout, Optional.empty());
    }

    public static Route to(String name, Target target) {
        return new Route(name, target, HeadRewrite.NONE, Optional.empty());
    }

    /** Whether the route takes TLS connections as they are, decided on their ClientHello. */
    public boolean passesThrough() {
        return target instanceof Target.PassThrough;
    }

    /** The idle timeout for a connection that began with this head. */
    public Optional<Duration> idleTimeoutFor(RequestHead head) {
        boolean upgrade = head.headers().first("Upgrade").isPresent();
        return upgrade && upgradedIdleTimeout.isPresent() ? upgradedIdleTimeout : idleTimeout;
    }
}
