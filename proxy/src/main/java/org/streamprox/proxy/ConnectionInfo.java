package org.streamprox.proxy;

import java.net.SocketAddress;

/**
 * What the engine knows about a routed connection: enough for an access-log line wherever the connection
 * ends up being served.
 *
 * @param id          the engine's connection number, unique per listener
 * @param client      the client's address
 * @param startNanos  {@link System#nanoTime()} when the connection was accepted
 * @param method      method of the first request
 * @param path        path of the first request
 * @param route       name of the route that matched
 * @param target      where the route sends it, for example {@code remote 127.0.0.1:80} or {@code local foo}
 */
public record ConnectionInfo(long id, SocketAddress client, long startNanos, String method, String path,
                             String route, String target) {
}
