package org.streamprox.testkit;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One client connection over a plain socket, for tests that need to control exactly which bytes go out when,
 * and to read responses one by one from the same connection. It counts the bytes each way.
 */
public final class RawHttpClient implements AutoCloseable {

    /** A test that waits longer than this for a byte has failed. */
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final CountingInput in;
    private final OutputStream out;
    private long bytesSent;

    public RawHttpClient(InetSocketAddress server) throws IOException {
        socket = new Socket(server.getAddress(), server.getPort());
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = new CountingInput(socket.getInputStream());
        out = socket.getOutputStream();
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

    public HttpResponse readResponse() throws IOException {
        return HttpResponse.read(in);
    }

    /** Reads one head without reading further, for a response whose body is not HTTP (an upgrade). */
    public String readHead() throws IOException {
        return Http.readHead(in);
    }

    /** Whether the server has closed the connection: the next read finds the end of the stream, not a byte. */
    public boolean serverClosed() throws IOException {
        return in.read() < 0;
    }

    public long bytesSent() {
        return bytesSent;
    }

    public long bytesReceived() {
        return in.count;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static final class CountingInput extends FilterInputStream {

        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int read = super.read(buffer, offset, length);
            if (read > 0) {
                count += read;
            }
            return read;
        }
    }
}
