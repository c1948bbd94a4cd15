package org.streamprox.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.streamprox.proxy.testing.Http;

/**
 * One HTTP/1.1 response read off a raw socket, body framed by Content-Length or chunked encoding, so a test can
 * send the next request on the same connection.
 */
record RawResponse(int status, String head, String body) {

    static RawResponse read(InputStream in) throws IOException {
        String head = Http.readHead(in);
        int status = Http.status(head);
        String lower = head.toLowerCase(Locale.ROOT);
        byte[] body;
        if (lower.contains("\r\ntransfer-encoding: chunked")) {
            body = readChunked(in);
        } else {
            int at = lower.indexOf("\r\ncontent-length:");
            int length = at < 0 ? 0 : Integer.parseInt(lower.substring(at + 17, lower.indexOf("\r\n", at + 2)).trim());
            body = in.readNBytes(length);
        }
        return new RawResponse(status, head, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
            if (size == 0) {
                line(in);
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
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

    boolean hasHeader(String nameAndValue) {
        return head.toLowerCase(Locale.ROOT).contains("\r\n" + nameAndValue.toLowerCase(Locale.ROOT));
    }
}
