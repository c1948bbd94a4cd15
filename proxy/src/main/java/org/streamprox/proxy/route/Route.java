package org.streamprox.proxy.route;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A named destination for connections.
 *
 * @param name        shown in the access log
 * @param target      where the connection goes
 * @param rewrite     changes to the head before it is forwarded to a remote target
 * @param idleTimeout for remote targets, how long both directions may stay silent before the connection is
 *                    closed; empty for no limit
 */
public record Route(String name, Target target, HeadRewrite rewrite, Optional<Duration> idleTimeout) {

    public Route {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(rewrite, "rewrite");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    public static Route to(String name, Target target) {
        return new Route(name, target, HeadRewrite.NONE, Optional.empty());
    }
}
