package org.streamprox.proxy.hostile;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.streamprox.testkit.Http;

/**
 * An upstream meant to run as its own process, so a test can kill it mid-transfer like a crashed server:
 * {@code java BulkUpstream SIZE} listens on 127.0.0.1, prints its port on a line, and answers every request with
 * {@code SIZE} zero bytes after a {@code Content-Length} head.
 */
public final class BulkUpstream {

    private BulkUpstream() {
    }

    public static void main(String[] args) throws IOException {
        long size = Long.parseLong(args[0]);
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            System.out.println(listener.getLocalPort());
            System.out.flush();
            while (true) {
                Socket socket = listener.accept();
                Thread.ofVirtual().start(() -> answer(socket, size));
            }
        }
    }

    private static void answer(Socket socket, long size) {
        try (socket) {
            Http.readHead(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            for (long sent = 0; sent < size; sent += chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, size - sent));
            }
        } catch (IOException e) {
            // The client went away; nothing to serve.
        }
    }
}
