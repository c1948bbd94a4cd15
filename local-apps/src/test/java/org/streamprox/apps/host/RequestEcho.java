package org.streamprox.apps.host;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A test app that answers with what it received: its own name, the request line, the scheme and whether the
 * connection is secure, the client's address, the header fields and the body, one per line.
 */
final class RequestEcho extends Handler.Abstract {

    private final String name;

    RequestEcho(String name) {
        this.name = name;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        StringBuilder echo = new StringBuilder()
                .append("app ").append(name).append('\n')
                .append(request.getMethod()).append(' ').append(request.getHttpURI().getPathQuery()).append('\n')
                .append("scheme ").append(request.getHttpURI().getScheme()).append(" secure ")
                .append(request.isSecure()).append('\n')
                .append("client ").append(Request.getRemoteAddr(request)).append(':')
                .append(Request.getRemotePort(request)).append('\n');
        for (HttpField field : request.getHeaders()) {
            echo.append(field.getName()).append(": ").append(field.getValue()).append('\n');
        }
        echo.append('\n').append(Content.Source.asString(request, StandardCharsets.UTF_8));
        byte[] body = echo.toString().getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
