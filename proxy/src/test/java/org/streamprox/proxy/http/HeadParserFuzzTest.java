package org.streamprox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing of {@link HeadParser}: whatever the bytes, the parser either returns a head whose
 * every accessor works, or rejects it with one of its defined statuses. Any other exception is a finding.
 *
 * <p>Without {@code JAZZER_FUZZ} this replays only the inputs kept under
 * {@code src/test/resources/org/streamprox/proxy/http/HeadParserFuzzTestInputs/}; the build's {@code fuzz}
 * profile runs it with {@code JAZZER_FUZZ=1} for the annotation's duration (see docs/testing.md, "Fuzzing").
 */
class HeadParserFuzzTest {

    /** 400 for a malformed head, 505 for a well-formed request line of another HTTP version. */
    private static final Set<Integer> PARSER_STATUSES = Set.of(400, 505);

    /** Starting points for the mutator: each request-target form, with and without header fields. */
    static Stream<Arguments> heads() {
        return Stream.of(
                Arguments.of(ascii("GET /a/b?c HTTP/1.1\r\nHost: example.org:8080\r\nX: y\r\n\r\n"), true),
                Arguments.of(ascii("POST http://user@h:80/p?q HTTP/1.0\r\n\r\n"), true),
                Arguments.of(ascii("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n"), true),
                Arguments.of(ascii("OPTIONS * HTTP/1.1\r\n"), false));
    }

    @MethodSource("heads")
    @FuzzTest(maxDuration = "12s")
    void parsesOrRejectsWithADefinedStatus(byte @NotNull [] bytes, boolean withHeaders) {
        RequestHead head;
        try {
            head = HeadParser.parse(bytes, withHeaders);
        } catch (HeadException e) {
            assertTrue(PARSER_STATUSES.contains(e.status()), "undefined status " + e.status() + ": " + e);
            return;
        }
        assertSame(bytes, head.raw());
        // Routing reads these on every accepted head; none may throw.
        head.host();
        head.hasHeaderBlock();
        head.headers().first("Host");
        assertTrue(head.path().isEmpty() || head.path().startsWith("/") || head.path().equals("*"),
                "path '" + head.path() + "' of target '" + head.target() + "'");
    }
}
