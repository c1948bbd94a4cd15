package org.streamprox.apps.admin;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writes the admin listener's answers: a status, a content type and a whole body, never cached. */
final class Reply {

    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON_TYPE = "application/json";
    /** Nulls are written, so every answer of a kind has the same fields. */
    private static final JSON WRITER = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);

    private Reply() {
    }

    static void text(Response response, Callback callback, int status, String text) {
        send(response, callback, status, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code value} as JSON: records, maps, lists, strings, numbers, booleans and nulls. */
    static void json(Response response, Callback callback, int status, Object value) throws IOException {
        send(response, callback, status, JSON_TYPE, WRITER.asBytes(value));
    }

    static void send(Response response, Callback callback, int status, String contentType, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
