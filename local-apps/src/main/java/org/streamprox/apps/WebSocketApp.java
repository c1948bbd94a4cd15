package org.streamprox.apps;

import java.time.Duration;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.websocket.server.WebSocketCreator;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * An app that upgrades requests on one path spec to WebSocket and hands every other request to a plain
 * handler. Each app gets its own root context, hence its own WebSocket container: the mappings and limits of
 * one app never apply to another mounted on the same server.
 */
final class WebSocketApp {

    /** Large enough for the echo demo's multi-MiB messages; a bound on what one message may make us buffer. */
    static final long MAX_MESSAGE_BYTES = 16L * 1024 * 1024;

    private WebSocketApp() {
    }

    /**
     * @param idleTimeout how long a session may stay silent in both directions; it replaces the connector's idle
     *                    timeout once the connection is upgraded
     */
    static ContextHandler create(Server server, String pathSpec, WebSocketCreator creator, Duration idleTimeout,
                                 Handler otherRequests) {
        ContextHandler context = new ContextHandler("/");
        WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, context, container -> {
            container.setIdleTimeout(idleTimeout);
            container.setMaxTextMessageSize(MAX_MESSAGE_BYTES);
            container.setMaxBinaryMessageSize(MAX_MESSAGE_BYTES);
            container.addMapping(pathSpec, creator);
        });
        upgrade.setHandler(otherRequests);
        context.setHandler(upgrade);
        return context;
    }
}
