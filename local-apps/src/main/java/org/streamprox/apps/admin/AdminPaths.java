package org.streamprox.apps.admin;

import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Which handler answers which path, and to which method: another path is answered 404, a known path asked with
 * another method 405 with the method it takes in {@code Allow}. {@code HEAD} is taken wherever {@code GET} is.
 */
final class AdminPaths extends Handler.Abstract {

    /** A path's handler and the one method it answers. */
    record Endpoint(HttpMethod method, Request.Handler handler) {

        static Endpoint get(Request.Handler handler) {
            return new Endpoint(HttpMethod.GET, handler);
        }

        static Endpoint post(Request.Handler handler) {
            return new Endpoint(HttpMethod.POST, handler);
        }

        boolean takes(String requestMethod) {
            return method.is(requestMethod) || method == HttpMethod.GET && HttpMethod.HEAD.is(requestMethod);
        }
    }

    private final Map<String, Endpoint> endpoints;

    /** @param endpoints by exact path ({@code /metrics}) */
    AdminPaths(Map<String, Endpoint> endpoints) {
        this.endpoints = Map.copyOf(endpoints);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Endpoint endpoint = endpoints.get(Request.getPathInContext(request));
        if (endpoint == null) {
            Reply.text(response, callback, 404, "not found; the status page is at /\n");
            return true;
        }
        if (!endpoint.takes(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, endpoint.method().asString());
            Reply.text(response, callback, 405, request.getMethod() + " is not allowed here; use "
                    + endpoint.method().asString() + "\n");
            return true;
        }
        return endpoint.handler().handle(request, response, callback);
    }
}
