package org.streamprox.apps.host;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The server's root handler: sends each request to the app its connection was handed to, whatever the request
 * path says, so a keep-alive connection stays with its app and the app sees the path unchanged.
 */
final class AppsByEndPoint extends Handler.AbstractContainer {

    private final Map<String, Handler> apps = new LinkedHashMap<>();

    /** Adds an app; only before the server starts, so requests never race with registration. */
    synchronized void add(String name, Handler app) {
        if (isStarted() || isStarting()) {
            throw new IllegalStateException("register local apps before starting them; '" + name + "' came late");
        }
        if (apps.putIfAbsent(name, app) != null) {
            throw new IllegalArgumentException("a local app named '" + name + "' is already registered");
        }
        app.setServer(getServer());
        addBean(app);
    }

    synchronized boolean contains(String name) {
        return apps.containsKey(name);
    }

    /** The names in the order the apps were added. */
    synchronized Set<String> names() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(apps.keySet()));
    }

    @Override
    public synchronized List<Handler> getHandlers() {
        return List.copyOf(apps.values());
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        // Under TLS the request's end point is Jetty's decrypting one, over the socket's.
        while (endPoint instanceof EndPoint.Wrapper wrapper) {
            endPoint = wrapper.unwrap();
        }
        if (!(endPoint instanceof HandedOffEndPoint handedOff)) {
            return false;
        }
        Handler app = appNamed(handedOff.app());
        return app != null && app.handle(request, response, handedOff.reportingFirstStatus(response, callback));
    }

    private synchronized Handler appNamed(String name) {
        return apps.get(name);
    }
}
