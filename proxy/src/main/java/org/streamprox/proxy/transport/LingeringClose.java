package org.streamprox.proxy.transport;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The end of a connection the engine answered itself (an HTTP error, a redirect, a TLS alert): half-close, then
 * read and drop what the client still sends for a short while, like nginx's lingering_close. Closing with unread
 * input would send a reset, which may reach the client before it has read the answer.
 */
public final class LingeringClose {

    /** How long and how much unread input a lingering close waits for. */
    private static final int LINGER_MILLIS = 1000;
    private static final int LINGER_BYTES = 64 * 1024;

    private LingeringClose() {
    }

    /** After the answer is written: half-closes and drains; the caller closes the connection. */
    public static void afterAnswer(Transport client) throws IOException {
        client.shutdownOutput();
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
