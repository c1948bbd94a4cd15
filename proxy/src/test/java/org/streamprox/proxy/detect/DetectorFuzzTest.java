package org.streamprox.proxy.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.InRange;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.streamprox.proxy.http.HeadException;
import org.streamprox.proxy.http.HeadParser;
import org.streamprox.testkit.SplitTransport;

/**
 * Coverage-guided fuzzing of {@link Detector}: whatever the bytes, it decides the same however the reads cut them,
 * reads no more than its limit, and gives every byte back in order; any exception is a finding. Also, the HTTP probe
 * claims every request line the head parser takes, so detection never turns away what the engine serves.
 *
 * <p>Each run detects the input with one of a few detectors (the built-in probes in two orders, user regexes before,
 * between and after them, limits from the smallest up) twice: in one read, and in the reads {@code readSplit} gives.
 *
 * <p>Kept inputs: {@code src/test/resources/org/streamprox/proxy/detect/DetectorFuzzTestInputs/}.
 */
class DetectorFuzzTest {

    /** The reads never block, so the deadlines are never what ends a read. */
    private static final long NO_DEADLINE = TimeUnit.MINUTES.toNanos(10);
    private static final byte[] ALL_AT_ONCE = new byte[0];

    /** A detector and its byte limit, which the checks need. */
    private record Limited(Detector detector, int maxBytes) {

        Limited(int maxBytes, NamedProbe... probes) {
            this(new Detector(List.of(probes), maxBytes), maxBytes);
        }
    }

    private static final List<Limited> DETECTORS = List.of(
            new Limited(2048, builtIn("tls"), builtIn("ssh"), builtIn("h2c"), builtIn("http")),
            new Limited(Detector.MIN_MAX_BYTES,
                    NamedProbe.regex("greeting", Pattern.compile("HELLO [a-z]+\\r\\n")), builtIn("http"),
                    NamedProbe.regex("binary", Pattern.compile("\\x00\\x00\\x00..\\x03")), builtIn("h2c"),
                    builtIn("ssh"), builtIn("tls")),
            new Limited(64, builtIn("http"), NamedProbe.regex("syslog", Pattern.compile("([0-9]{1,3} )?<[0-9]{1,3}>")),
                    builtIn("ssh"), NamedProbe.regex("knock", Pattern.compile("GET /knock\\b")), builtIn("tls"),
                    builtIn("h2c"), NamedProbe.regex("ping", Pattern.compile("PING$"))));

    private static NamedProbe builtIn(String name) {
        return NamedProbe.builtIn(name).orElseThrow();
    }

    /** Starting points: each protocol's greeting, and each form of request target, under each detector. */
    static Stream<Arguments> greetings() {
        return Stream.of(
                Arguments.of(ascii("GET /knock HTTP/1.1\r\nHost: a\r\n\r\n"), new byte[] {3}, 0),
                Arguments.of(ascii("SSH-2.0-OpenSSH_9.6\r\n"), ALL_AT_ONCE, 1),
                Arguments.of(ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\4\0\0\0\0\0"), new byte[] {0}, 2),
                Arguments.of(new byte[] {0x16, 3, 1, 0, 5, 1, 0, 0, 1, 3}, new byte[] {1, 0}, 0),
                Arguments.of(ascii("HELLO world\r\n"), new byte[] {0, 4}, 1),
                Arguments.of(new byte[] {0, 0, 0, 9, (byte) 0xff, 3}, new byte[] {2}, 1),
                Arguments.of(ascii("17 <34>1 2026-01-01T00:00:00Z host app - - - hello"), new byte[] {1}, 2),
                Arguments.of(ascii("OPTIONS * HTTP/1.1\r\n"), ALL_AT_ONCE, 2),
                Arguments.of(ascii("CONNECT [::1]:443 HTTP/1.1\r\n"), new byte[] {5}, 0),
                Arguments.of(ascii("POST http://h:80/p?q HTTP/1.0\r\n"), new byte[] {0, 9}, 1));
    }

    @MethodSource("greetings")
    @FuzzTest(maxDuration = "12s")
    void decidesTheSameHoweverReadsCutTheBytes(byte @NotNull @WithLength(max = 4096) [] input,
            byte @NotNull [] readSplit, @InRange(min = 0, max = 2) int detector) throws IOException {
        Limited limited = DETECTORS.get(detector);
        Detection whole = detect(limited, input, ALL_AT_ONCE);
        assertEquals(Math.min(input.length, limited.maxBytes()), whole.bytesRead(), "in one read: " + whole);
        assertEquals(outcome(whole), outcome(detect(limited, input, readSplit)),
                "reads of " + Arrays.toString(readSplit));
        if (takenByTheHeadParser(input)) {
            assertEquals(Probe.Answer.MATCH, HttpRequestLineProbe.INSTANCE.answer(input, input.length));
        }
    }

    /** Detects the bytes read as the split gives, and checks that they are all there to read again. */
    private static Detection detect(Limited limited, byte[] input, byte[] split) throws IOException {
        SplitTransport client = new SplitTransport(input, split);
        long deadline = System.nanoTime() + NO_DEADLINE;
        Detection detection = limited.detector().detect(client, deadline, deadline);
        assertTrue(detection.bytesRead() <= Math.min(input.length, limited.maxBytes()),
                detection + " of " + input.length + " bytes");
        assertArrayEquals(input, readAll(client), "read again after " + detection);
        return detection;
    }

    private static byte[] readAll(SplitTransport client) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer chunk = ByteBuffer.allocate(4096);
        while (client.read(chunk.clear()) >= 0) {
            all.write(chunk.array(), 0, chunk.position());
        }
        return all.toByteArray();
    }

    /** The detection without its byte count, which depends on where the reads ended. */
    private static String outcome(Detection detection) {
        return switch (detection) {
            case Detection.Matched matched -> "matched " + matched.protocol();
            case Detection.Unknown unknown -> "unknown";
            case Detection.Closed closed -> "closed";
            // Reads that never block leave no deadline to pass.
            case Detection.Silent silent -> throw new AssertionError("silent without a deadline");
            case Detection.Incomplete incomplete -> throw new AssertionError(incomplete + " without a deadline");
        };
    }

    private static boolean takenByTheHeadParser(byte[] input) {
        try {
            HeadParser.parse(input, false);
            return true;
        } catch (HeadException e) {
            return false;
        }
    }
}
