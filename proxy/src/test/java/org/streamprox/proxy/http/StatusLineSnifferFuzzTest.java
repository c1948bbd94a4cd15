package org.streamprox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing of {@link StatusLineSniffer}, which reads bytes an upstream sends: however the reads cut
 * the bytes, it finds the status a plain reading of the whole gives, or 0, and leaves the buffers as they were.
 *
 * <p>Kept inputs: {@code src/test/resources/org/streamprox/proxy/http/StatusLineSnifferFuzzTestInputs/}.
 */
class StatusLineSnifferFuzzTest {

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[0-9] ([1-9][0-9][0-9])");

    static Stream<Arguments> responseStarts() {
        return Stream.of(
                Arguments.of("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1), new byte[] {3}),
                Arguments.of("HTTP/1.0 401 \r\n".getBytes(StandardCharsets.ISO_8859_1), new byte[0]),
                Arguments.of("HTTP/2 200\r\n".getBytes(StandardCharsets.ISO_8859_1), new byte[] {1}),
                Arguments.of("SSH-2.0-x\r\n".getBytes(StandardCharsets.ISO_8859_1), new byte[] {0, 5}));
    }

    @MethodSource("responseStarts")
    @FuzzTest(maxDuration = "12s")
    void findsTheStatusHoweverTheReadsCutIt(byte @NotNull @WithLength(max = 64) [] input, byte @NotNull [] split) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        Matcher plain = STATUS_LINE.matcher(text);
        int expected = plain.lookingAt() ? Integer.parseInt(plain.group(1)) : 0;

        StatusLineSniffer sniffer = new StatusLineSniffer();
        int position = 0;
        for (int read = 0; position < input.length; read++) {
            int size = split.length == 0 ? input.length : (split[read % split.length] & 0xff) + 1;
            int length = Math.min(size, input.length - position);
            ByteBuffer bytes = ByteBuffer.wrap(input, position, length);
            boolean wantsMore = sniffer.feed(bytes);
            assertEquals(position, bytes.position(), "the buffer was moved");
            position += length;
            if (!wantsMore) {
                break;
            }
        }
        assertEquals(expected, sniffer.status(), text);
    }
}
