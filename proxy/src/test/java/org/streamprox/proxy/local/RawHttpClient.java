package org.streamprox.proxy.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.streamprox.proxy.testing.Http;

/**
 * One client connection over a plain socket, for tests that need to control exactly which bytes go out when,
 * and to read responses one by one from the same connection.
 */
public final class RawHttpClient implements AutoCloseable {

    /** A test that waits longer than this for a byte has failed. */
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private long bytesSent;
    private long bytesReceived;

    public RawHttpClient(InetSocketAddress server) throws IOException {
        socket = new Socket(server.getAddress(), server.getPort());
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** A response with a {@code Content-Length} body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {

        /** The last value of a header, by case-insensitive name, or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public Socket socket() {
        return socket;
    }

    public void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        bytesSent += bytes.length;
    }

    /** Writes each byte on its own; with Nagle off each write leaves as its own segment. */
    public void sendByteByByte(String text) throws IOException {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            send(new byte[] {b});
        }
    }

    public Response readResponse() throws IOException {
        String head = Http.readHead(in);
        bytesReceived += head.length();
        String[] lines = head.split("\r\n");
        int status = Http.status(head);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        String length = headers.get("content-length");
        if (length == null) {
            throw new IOException("response without Content-Length: " + head);
        }
        return new Response(status, headers, readExactly(Integer.parseInt(length)));
    }

    /** Whether the server has closed the connection: the next read finds the end of the stream, not a byte. */
    public boolean serverClosed() throws IOException {
        return in.read() < 0;
    }

    public long bytesSent() {
        return bytesSent;
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private byte[] readExactly(int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        bytesReceived += bytes.length;
        if (bytes.length < length) {
            throw new IOException("connection closed after " + bytes.length + " of " + length + " body bytes");
        }
        return bytes;
    }
}
