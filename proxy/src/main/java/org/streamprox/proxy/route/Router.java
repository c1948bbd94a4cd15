package org.streamprox.proxy.route;

import java.util.Optional;
import org.streamprox.proxy.http.RequestHead;

/**
 * Decides where a connection goes from its first head. Implement it in Java for routing the configuration
 * cannot express; {@link RuleRouter} is the one built from the configuration. Called once per connection, on
 * the connection's own virtual thread, so it may block briefly but must be thread-safe.
 */
@FunctionalInterface
public interface Router {

    /** The route for this head, or empty to answer {@code 404}. */
    Optional<Route> route(RequestHead head);
}
