package org.streamprox.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 response read off a raw stream, its body framed by {@code Content-Length} or chunked encoding
 * (neither: no body), so a test can send the next request on the same connection.
 *
 * @param head the status line and fields, up to and including the empty line
 */
public record HttpResponse(int status, String head, byte[] body) {

    public static HttpResponse read(InputStream in) throws IOException {
        String head = Http.readHead(in);
        String length = Http.field(head, "Content-Length");
        byte[] body;
        if ("chunked".equalsIgnoreCase(Http.field(head, "Transfer-Encoding"))) {
            body = readChunked(in);
        } else {
            body = readExactly(in, length == null ? 0 : Integer.parseInt(length));
        }
        return new HttpResponse(Http.status(head), head, body);
    }

    /** The first value of a header, by case-insensitive name, or null. */
    public String header(String name) {
        return Http.field(head, name);
    }

    /** Whether a field line of the head starts with this, case ignored, as in {@code "Connection: close"}. */
    public boolean hasHeader(String nameAndValue) {
        return head.toLowerCase(Locale.ROOT).contains("\r\n" + nameAndValue.toLowerCase(Locale.ROOT));
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new IOException("connection closed after " + bytes.length + " of " + length + " body bytes");
        }
        return bytes;
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
            if (size == 0) {
                line(in);
                return body.toByteArray();
            }
            body.write(readExactly(in, size));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("stream ended inside a chunked body");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
