package org.streamprox.apps;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Answers every request with the same status and body: the demo bodies and pages, the admin listener's page. */
public final class FixedResponse extends Handler.Abstract.NonBlocking {

    private final int status;
    private final String contentType;
    private final ByteBuffer body;

    FixedResponse(int status, String contentType, byte[] body) {
        this.status = status;
        this.contentType = contentType;
        this.body = ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    public static FixedResponse text(String text) {
        return new FixedResponse(200, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** An HTML page shipped next to this class, or anywhere on the class path with an absolute name. */
    public static FixedResponse page(String resource) {
        try (InputStream in = FixedResponse.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing page resource " + resource);
            }
            return new FixedResponse(200, "text/html; charset=utf-8", in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read page resource " + resource, e);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.remaining());
        response.write(true, body.duplicate(), callback);
        return true;
    }
}
