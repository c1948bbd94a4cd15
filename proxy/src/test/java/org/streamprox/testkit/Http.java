package org.streamprox.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Small helpers for speaking raw HTTP/1.1 over a socket in tests. */
public final class Http {

    private Http() {
    }

    public static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: test.local\r\n\r\n";
    }

    /** Reads until the peer closes and returns what arrived as text. */
    public static String readAll(Socket socket) throws IOException {
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    /** Sends the bytes and returns the whole answer, read until the peer closes. */
    public static String exchange(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(ascii(request));
        return readAll(socket);
    }

    /**
     * Sends a GET for {@code path} on a connection and reads its response, whose length {@code Content-Length}
     * gives, leaving the connection open for another.
     *
     * @return the response's body
     */
    public static String ask(Socket socket, String path) throws IOException {
        socket.getOutputStream().write(ascii(get(path)));
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        if (status(head) != 200) {
            throw new IOException("not 200: " + head);
        }
        byte[] body = in.readNBytes(Integer.parseInt(field(head, "Content-Length")));
        return new String(body, StandardCharsets.ISO_8859_1);
    }

    /** Reads one head (up to and including the empty line) without reading further. */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("stream ended inside a head: " + head);
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** The value of the first field of that name (any case) in a head read by {@link #readHead}, or null. */
    public static String field(String head, String name) {
        String wanted = name.toLowerCase(Locale.ROOT) + ":";
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith(wanted)) {
                return line.substring(wanted.length()).trim();
            }
        }
        return null;
    }

    /** The target of a request head's request line. */
    public static String target(String requestHead) {
        return requestHead.split(" ", 3)[1];
    }

    /**
     * Bytes read until an orderly end of stream or a reset: a reset ends a transfer as surely as a close, and
     * the count says how far it got.
     */
    public static long countUntilTheEnd(InputStream in) {
        long count = 0;
        byte[] buffer = new byte[64 * 1024];
        try {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                count += read;
            }
        } catch (IOException e) {
            return count;
        }
        return count;
    }

    /** The status code of a response's first line. */
    public static int status(String response) {
        if (!response.startsWith("HTTP/1.1 ")) {
            throw new AssertionError("not an HTTP response: " + response);
        }
        return Integer.parseInt(response.substring(9, 12));
    }
}
