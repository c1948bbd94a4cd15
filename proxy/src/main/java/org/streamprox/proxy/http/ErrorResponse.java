package org.streamprox.proxy.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.streamprox.proxy.transport.Transport;

/**
 * The engine's own answers: a short plain-text response with {@code Connection: close}, followed by a
 * lingering close so the client reads the answer instead of a reset caused by request bytes left unread.
 */
public final class ErrorResponse {

    /** How long and how much unread input a lingering close waits for, like nginx's lingering_close. */
    private static final int LINGER_MILLIS = 1000;
    private static final int LINGER_BYTES = 64 * 1024;

    private ErrorResponse() {
    }

    public static String reasonPhrase(int status) {
        return switch (status) {
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
        byte[] content = (body + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reasonPhrase(status) + "\r\n"
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
        byte[] response = render(status, body);
        client.write(ByteBuffer.wrap(response));
        client.shutdownOutput();
        discardInput(client);
        return response.length;
    }

    private static void discardInput(Transport client) {
        ByteBuffer sink = ByteBuffer.allocate(4096);
        long deadline = System.nanoTime() + LINGER_MILLIS * 1_000_000L;
        try {
            int total = 0;
            long remaining;
            while (total < LINGER_BYTES && (remaining = (deadline - System.nanoTime()) / 1_000_000L) > 0) {
                int read = client.read(sink.clear(), remaining);
                if (read < 0) {
                    return;
                }
                total += read;
            }
        } catch (IOException e) {
            // The client reset or stayed silent: either way the answer has been sent.
        }
    }
}
