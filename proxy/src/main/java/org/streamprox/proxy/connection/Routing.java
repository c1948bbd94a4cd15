package org.streamprox.proxy.connection;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.streamprox.proxy.http.HeadReader;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Target;

/** The routing stage: the plan for a head, from the listener's routing table. */
final class Routing {

    private Routing() {
    }

    /** Answers 404 when no route matches; records the route that does. The head's buffer is not kept. */
    static Plan plan(ListenerContext context, HeadReader.Result read, ConnectionRecord record) {
        RequestHead head = read.head();
        Optional<Route> found = context.router().route(head);
        if (found.isEmpty()) {
            return new Answer(404, "no route for " + head.method() + " " + head.path()
                    + head.host().map(host -> " on host " + host).orElse(""));
        }
        Route route = found.get();
        record.routed(route.name(), route.target().describe());
        return switch (route.target()) {
            case Target.Local local -> new HandOffToApp(context.apps(), local.app(), read.buffered());
            case Target.Remote remote -> new Forward(context.tunnels(), remote, route.idleTimeoutFor(head),
                    firstBytes(route.rewrite().apply(head), read.leftover()));
        };
    }

    /** The head to send and the bytes that followed it, as one write. */
    private static byte[] firstBytes(byte[] head, ByteBuffer leftover) {
        byte[] bytes = new byte[head.length + leftover.remaining()];
        System.arraycopy(head, 0, bytes, 0, head.length);
        leftover.get(bytes, head.length, leftover.remaining());
        return bytes;
    }
}
