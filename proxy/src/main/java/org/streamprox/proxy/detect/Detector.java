package org.streamprox.proxy.detect;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import org.streamprox.proxy.transport.Transport;

/**
 * Tells which protocol a connection speaks from its first bytes, as sslh does, and gives every byte it read back to
 * the connection ({@link Transport#replay}) for the stage that serves that protocol to read again.
 *
 * <p>After each read the probes are asked in order, with all the bytes so far. The first whose answer is not
 * {@link Probe.Answer#NO} decides: {@link Probe.Answer#MATCH} reports its protocol; {@link Probe.Answer#NEED_MORE}
 * reads more and asks again. When every probe says no, the protocol is unknown. When no more bytes can come, because
 * the byte limit is reached or the client ended its stream, a probe still waiting counts as saying no. Unlike in
 * sslh, where a later probe's match wins over an earlier probe still waiting, the order is a priority: so the result
 * does not depend on how the network cut the bytes into reads. An empty list of probes tells only silence and an
 * early close.
 *
 * <p>The first read waits until the detect deadline: a client silent until then is {@link Detection.Silent}. A
 * caller without a route for silent clients passes the head deadline as the detect deadline. Once bytes have arrived,
 * reads wait until the head deadline, and passing it is {@link Detection.Incomplete}.
 *
 * <p>An HTTP client sends its whole request in its first write, so the common case is one read into a buffer of the
 * byte limit's size, a few byte comparisons per probe and one replay of that buffer. Beyond that buffer and the
 * result, only regex probes allocate. A detector is immutable and serves any number of connections at once.
 */
public final class Detector {

    /** The HTTP/2 preface, the longest greeting a built-in probe waits for, must fit. */
    public static final int MIN_MAX_BYTES = 24;
    /** The buffer is allocated for every connection, before anything is known of it. */
    public static final int MAX_MAX_BYTES = 64 * 1024;

    private final NamedProbe[] probes;
    private final int maxBytes;

    /**
     * @param probes   asked in this order
     * @param maxBytes the most bytes read before deciding, from {@link #MIN_MAX_BYTES} to {@link #MAX_MAX_BYTES}
     */
    public Detector(List<NamedProbe> probes, int maxBytes) {
        if (maxBytes < MIN_MAX_BYTES || maxBytes > MAX_MAX_BYTES) {
            throw new IllegalArgumentException("a detection limit of " + maxBytes + " bytes is not within "
                    + MIN_MAX_BYTES + " to " + MAX_MAX_BYTES);
        }
        this.probes = probes.toArray(NamedProbe[]::new);
        this.maxBytes = maxBytes;
    }

    /**
     * Reads the client's first bytes until a probe decides, and gives them back.
     *
     * @param detectDeadlineNanos until when the first byte is waited for, a {@link System#nanoTime()} value; the
     *                            head deadline if that is earlier
     * @param headDeadlineNanos   until when the rest is waited for
     * @throws IOException when a read fails otherwise than by a deadline; the bytes read are given back all the same
     */
    public Detection detect(Transport client, long detectDeadlineNanos, long headDeadlineNanos) throws IOException {
        long firstByteDeadline = detectDeadlineNanos - headDeadlineNanos < 0 ? detectDeadlineNanos : headDeadlineNanos;
        ByteBuffer buffer = ByteBuffer.allocate(maxBytes);
        try {
            return readUntilDecided(client, buffer, firstByteDeadline, headDeadlineNanos);
        } finally {
            client.replay(buffer.flip());
        }
    }

    private Detection readUntilDecided(Transport client, ByteBuffer buffer, long firstByteDeadline,
            long headDeadline) throws IOException {
        byte[] bytes = buffer.array();
        int awaited = -1;
        reading:
        while (true) {
            int read;
            try {
                read = client.readBefore(buffer, buffer.position() == 0 ? firstByteDeadline : headDeadline);
            } catch (SocketTimeoutException e) {
                return buffer.position() == 0 ? new Detection.Silent()
                        : new Detection.Incomplete(probes[awaited].protocol(), buffer.position());
            }
            int length = buffer.position();
            if (read < 0 && length == 0) {
                return new Detection.Closed();
            }
            boolean noMoreBytes = read < 0 || length == maxBytes;
            for (int i = 0; i < probes.length; i++) {
                switch (probes[i].probe().answer(bytes, length)) {
                    case MATCH -> {
                        return new Detection.Matched(probes[i].protocol(), length);
                    }
                    case NEED_MORE -> {
                        if (!noMoreBytes) {
                            awaited = i;
                            continue reading;
                        }
                    }
                    case NO -> {
                        // The next probe may know the bytes.
                    }
                }
            }
            return new Detection.Unknown(length);
        }
    }
}
