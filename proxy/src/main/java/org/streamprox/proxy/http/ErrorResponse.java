package org.streamprox.proxy.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.streamprox.proxy.transport.LingeringClose;
import org.streamprox.proxy.transport.Transport;

/**
 * The engine's own answers: a short plain-text response with {@code Connection: close}, followed by a
 * {@link LingeringClose}.
 */
public final class ErrorResponse {

    private ErrorResponse() {
    }

    public static String reasonPhrase(int status) {
        return switch (status) {
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 303 -> "See Other";
            case 307 -> "Temporary Redirect";
            case 308 -> "Permanent Redirect";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 408 -> "Request Timeout";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }

    /** The response's bytes: status line, headers, and {@code body} followed by a newline. */
    public static byte[] render(int status, String body) {
        return render(status, "", body);
    }

    /** As {@link #render(int, String)}, with {@code fields} (each ending in CRLF) among the headers. */
    private static byte[] render(int status, String fields, String body) {
        byte[] content = (body + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reasonPhrase(status) + "\r\n"
                + fields
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + content.length + "\r\n"
                + "Connection: close\r\n"
                + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] response = new byte[headBytes.length + content.length];
        System.arraycopy(headBytes, 0, response, 0, headBytes.length);
        System.arraycopy(content, 0, response, headBytes.length, content.length);
        return response;
    }

    /**
     * Writes the response and half-closes, then reads and discards what the client still sends for a short
     * while. The caller closes the connection.
     *
     * @return the bytes written
     */
    public static int send(Transport client, int status, String body) throws IOException {
        return send(client, render(status, body));
    }

    /**
     * A redirect, sent as {@link #send(Transport, int, String)} sends an error.
     *
     * @param location the {@code Location} field's value, free of CR and LF
     */
    public static int redirect(Transport client, int status, String location) throws IOException {
        return send(client, render(status, "Location: " + location + "\r\n", "Moved to " + location));
    }

    private static int send(Transport client, byte[] response) throws IOException {
        client.write(ByteBuffer.wrap(response));
        LingeringClose.afterAnswer(client);
        return response.length;
    }
}
