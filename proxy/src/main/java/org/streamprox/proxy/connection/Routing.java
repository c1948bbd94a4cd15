package org.streamprox.proxy.connection;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.streamprox.proxy.http.HeadReader;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Refusal;
import org.streamprox.proxy.route.RequestOrigin;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Target;
import org.streamprox.proxy.tls.ClientHello;

/**
 * The routing stage: the plan for a head, a ClientHello passed through, or a connection tunnelled as it came, from
 * the listener's routing table.
 */
final class Routing {

    private Routing() {
    }

    /**
     * Answers 404 when no route matches; records the route that does. The head's buffer is not kept.
     *
     * @param hello     the ClientHello when the connection's TLS was terminated here
     * @param arrivedAt the address the client connected to
     */
    static Plan plan(ListenerContext context, HeadReader.Result read, Optional<ClientHello> hello,
                     ConnectionRecord record, InetSocketAddress arrivedAt) {
        RequestHead head = read.head();
        Optional<Route> found = context.router().route(head, hello);
        if (found.isEmpty()) {
            return new Answer(404, Refusal.NO_ROUTE, "no route for " + head.method() + " " + head.path()
                    + head.host().map(host -> " on host " + host).orElse(""));
        }
        Route route = found.get();
        record.routed(route.name(), route.target().describe());
        RequestOrigin origin = new RequestOrigin(record.client(), record.destination().orElse(arrivedAt),
                hello.isPresent(), hello.flatMap(ClientHello::serverName), route.name(),
                context.settings().arrival().trustedProxies().filter(trusted -> trusted.contains(
                        record.client().getAddress())).isPresent());
        return switch (route.target()) {
            case Target.Local local -> new HandOffToApp(context.apps(), local.app(), read.buffered());
            case Target.Remote remote -> new Forward(context.tunnels(), remote, route.idleTimeoutFor(head),
                    firstBytes(route.rewrite().apply(head, origin), read.leftover()));
            case Target.Redirect redirect -> redirect.location().expand(head, origin)
                    .<Plan>map(location -> new Redirection(redirect.status(), location))
                    .orElseGet(() -> new Answer(400, Refusal.BAD_REQUEST,
                            "no host to redirect to: the request named none"));
            case Target.PassThrough passThrough -> throw new IllegalStateException(
                    "router " + context.router() + " chose passthrough route '" + route.name() + "' for a head");
        };
    }

    /** Forwards a TLS connection as it came, its ClientHello and what followed it first. */
    static Plan passThrough(ListenerContext context, Route route, ByteBuffer helloBytes, ConnectionRecord record) {
        if (!(route.target() instanceof Target.PassThrough passThrough)) {
            throw new IllegalStateException("router " + context.router() + " chose route '" + route.name()
                    + "' to pass TLS through, but it does not pass through");
        }
        record.routed(route.name(), route.target().describe());
        byte[] bytes = new byte[helloBytes.remaining()];
        helloBytes.duplicate().get(bytes);
        return new Forward(context.tunnels(), passThrough.upstream(), route.idleTimeout(), bytes);
    }

    /**
     * Tunnels a connection in another protocol than HTTP, or a silent one, as it came: its first bytes, given back
     * by the detection, are the first the copy loop reads.
     */
    static Plan tunnel(ListenerContext context, Route route, ConnectionRecord record) {
        if (!(route.target() instanceof Target.Remote remote)) {
            throw new IllegalStateException("router " + context.router() + " chose route '" + route.name()
                    + "' to tunnel bytes that are not HTTP, but it is not remote");
        }
        record.routed(route.name(), route.target().describe());
        return new Forward(context.tunnels(), remote, route.idleTimeout(), new byte[0]);
    }

    /** The head to send and the bytes that followed it, as one write. */
    private static byte[] firstBytes(byte[] head, ByteBuffer leftover) {
        byte[] bytes = new byte[head.length + leftover.remaining()];
        System.arraycopy(head, 0, bytes, 0, head.length);
        leftover.get(bytes, head.length, leftover.remaining());
        return bytes;
    }
}
