package org.streamprox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.InRange;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.streamprox.testkit.SplitTransport;

/**
 * Coverage-guided fuzzing of {@link HeadReader}'s scanning: whatever the bytes and however the reads cut them,
 * the reader returns the head that ends at the first CRLF (request-line mode) or the first empty line, with the
 * bytes read after it untouched, or refuses with one of its statuses; and how the bytes were cut never changes
 * which of the two, nor which head or status. Any other exception is a finding.
 *
 * <p>Kept inputs: {@code src/test/resources/org/streamprox/proxy/http/HeadReaderFuzzTestInputs/}.
 */
class HeadReaderFuzzTest {

    /** 0 for a client that is not speaking HTTP or goes away, 400, 431 for the limits, 505; never 408 here. */
    private static final Set<Integer> READER_STATUSES = Set.of(0, 400, 431, 505);

    /** The streams never block, so the deadline is never what ends a read. */
    private static final Duration NO_DEADLINE = Duration.ofMinutes(10);

    /** Starting points: whole and dripped reads, each mode, each kind of refusal, a buffer grown past 2 KiB. */
    static Stream<Arguments> connectionStarts() {
        byte[] bigHead = ascii("GET / HTTP/1.1\r\nHost: a\r\nX: " + "x".repeat(3000) + "\r\n\r\nbody");
        return Stream.of(
                Arguments.of(ascii("POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nokGET / HTTP/1.1\r\n"),
                        HeadLimits.Until.HEADERS, 1024, 4096, 100, new byte[0], new byte[] {0}),
                Arguments.of(ascii("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n"),
                        HeadLimits.Until.REQUEST_LINE, 256, 100, 10, new byte[] {3, 10}, new byte[0]),
                Arguments.of(ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
                        HeadLimits.Until.HEADERS, 64, 20, 1, new byte[] {1}, new byte[] {7, 0}),
                Arguments.of(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00},
                        HeadLimits.Until.HEADERS, 4096, 2, 100, new byte[0], new byte[] {2}),
                Arguments.of(bigHead, HeadLimits.Until.HEADERS, 4500, 10_000, 2, new byte[] {(byte) 255},
                        new byte[0]),
                Arguments.of(bigHead, HeadLimits.Until.HEADERS, 2100, 10_000, 100, new byte[0],
                        new byte[] {100, (byte) 200}));
    }

    @MethodSource("connectionStarts")
    @FuzzTest(maxDuration = "12s")
    void readsTheSameHeadHoweverTheReadsCutIt(byte @NotNull @WithLength(max = 5000) [] input,
            HeadLimits.@NotNull Until until, @InRange(min = 64, max = 4500) int maxBytes,
            @InRange(min = 1, max = 10_000) int maxReads, @InRange(min = 1, max = 100) int maxHeaders,
            byte @NotNull [] split, byte @NotNull [] otherSplit) throws IOException, HeadException {
        HeadLimits limits = new HeadLimits(until, maxBytes, maxReads, NO_DEADLINE, maxHeaders);
        SplitTransport one = new SplitTransport(input, split);
        SplitTransport other = new SplitTransport(input, otherSplit);

        String outcome = read(limits, one, input);
        String otherOutcome = read(limits, other, input);

        // Running out of reads legitimately depends on the cut; nothing else may.
        if (one.reads() < maxReads && other.reads() < maxReads) {
            assertEquals(outcome, otherOutcome, "reads of " + one + " and of " + other);
        }
    }

    /** Reads the head, checks what came back against the input, and describes it for comparison. */
    private static String read(HeadLimits limits, SplitTransport in, byte[] input) throws IOException, HeadException {
        HeadReader.Result result;
        try {
            result = new HeadReader(limits).read(in);
        } catch (HeadException e) {
            assertTrue(READER_STATUSES.contains(e.status()), "undefined status " + e.status() + ": " + e);
            return "refused with " + e.status();
        }
        // The leftover is checked here but not compared: how far past the head the last read went depends on the cut.
        byte[] raw = result.head().raw();
        int read = result.bytesRead();
        assertEquals(read, result.buffered().remaining());
        assertTrue(read <= input.length && read <= limits.maxBytes(), read + " bytes read");
        assertArrayEquals(Arrays.copyOf(input, raw.length), raw);
        assertArrayEquals(Arrays.copyOfRange(input, raw.length, read), bytes(result.leftover()));

        boolean withHeaders = limits.until() == HeadLimits.Until.HEADERS;
        String end = withHeaders ? "\r\n\r\n" : "\r\n";
        assertEquals(new String(input, StandardCharsets.ISO_8859_1).indexOf(end) + end.length(), raw.length,
                "the head ends at the first " + (withHeaders ? "CRLFCRLF" : "CRLF"));
        assertTrue(result.head().headers().size() <= limits.maxHeaders());

        RequestHead again = HeadParser.parse(raw, withHeaders);
        assertEquals(fields(result.head()), fields(again));
        return "read " + new String(raw, StandardCharsets.ISO_8859_1);
    }

    private static List<Object> fields(RequestHead head) {
        return List.of(head.method(), head.target(), head.path(), head.version(), head.headers().asList());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
