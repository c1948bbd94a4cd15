package org.streamprox.proxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.streamprox.testkit.Http.ascii;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.streamprox.proxy.http.HeadException;
import org.streamprox.proxy.http.HeadParser;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.testkit.Origins;

/**
 * Coverage-guided fuzzing of {@link HeadRewrite#apply}: for any head the parser accepts and any rewrite the
 * configuration accepts, the head sent upstream parses again, with the rewrite's effect and nothing else changed.
 * The upstream must read the head exactly as the engine meant it.
 *
 * <p>Kept inputs: {@code src/test/resources/org/streamprox/proxy/route/HeadRewriteFuzzTestInputs/}.
 */
class HeadRewriteFuzzTest {

    static Stream<Arguments> typicalRewrites() {
        return Stream.of(
                Arguments.of("Host", "www.google.com", "Cookie", "none", "X-Forwarded-For", "/google", "",
                        ascii("GET /google/search?q=a HTTP/1.1\r\nHost: localhost\r\nCookie: c\r\n\r\n")),
                Arguments.of("X-Route", " a b ", "host", "echo.example.org", "Cookie", "/a", "/b",
                        ascii("POST http://h:8080/a/x HTTP/1.0\r\nCookie: 1\r\ncookie: 2\r\n\r\n")),
                Arguments.of("Upgrade", "websocket", "Connection", "Upgrade", "Origin", "/ws", "/",
                        ascii("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n")));
    }

    @MethodSource("typicalRewrites")
    @FuzzTest(maxDuration = "12s")
    void rewrittenHeadsParseAgainWithTheRewriteApplied(@NotNull String setName, @NotNull String setValue,
            @NotNull String replaceName, @NotNull String replaceValue, @NotNull String removeName,
            @NotNull String prefixFrom, @NotNull String prefixTo, byte @NotNull [] bytes) throws HeadException {
        HeadRewrite rewrite;
        try {
            rewrite = new HeadRewrite(Map.of(setName, setValue), Map.of(replaceName, replaceValue),
                    List.of(removeName), Optional.of(new HeadRewrite.PrefixRewrite(prefixFrom, prefixTo)));
        } catch (IllegalArgumentException e) {
            return; // The configuration refuses this rewrite at start-up.
        }
        RequestHead original;
        try {
            original = HeadParser.parse(headAsTheReaderFramesIt(bytes), true);
        } catch (HeadException e) {
            return; // Answered with its status; never rewritten.
        }
        RequestHead rewritten = HeadParser.parse(rewrite.apply(original, Origins.PLAIN), true);

        assertEquals(original.method(), rewritten.method());
        assertEquals(original.version(), rewritten.version());
        assertEquals(List.of(asParsed(setValue)), rewritten.headers().all(setName), "set " + setName);
        if (isUntouchedBy(rewrite, "Host") && !replaceName.equalsIgnoreCase("Host")) {
            assertEquals(original.host(), rewritten.host(), "host of " + original.target());
        }
        if (isUntouchedBy(rewrite, replaceName) && !original.headers().all(replaceName).isEmpty()) {
            assertEquals(List.of(asParsed(replaceValue)), rewritten.headers().all(replaceName),
                    "replaced " + replaceName);
        }
        if (!removeName.equalsIgnoreCase(setName)) {
            assertEquals(List.of(), rewritten.headers().all(removeName), "removed " + removeName);
        }
        String path = original.path();
        boolean atSegmentBoundary = path.startsWith(prefixFrom) && (path.length() == prefixFrom.length()
                || prefixFrom.endsWith("/") || path.charAt(prefixFrom.length()) == '/');
        if (!atSegmentBoundary) {
            assertEquals(original.path(), rewritten.path(), "path of " + original.target());
        } else {
            String expected = prefixTo + original.path().substring(prefixFrom.length());
            assertEquals(expected.startsWith("/") ? expected : "/" + expected, rewritten.path(),
                    "path of " + original.target());
        }
    }

    private static boolean isUntouchedBy(HeadRewrite rewrite, String name) {
        return !containsIgnoringCase(rewrite.setHeaders().keySet(), name)
                && !containsIgnoringCase(rewrite.removeHeaders(), name);
    }

    private static boolean containsIgnoringCase(Collection<String> names, String name) {
        return names.stream().anyMatch(name::equalsIgnoreCase);
    }

    /**
     * A field value as the parser gives it back: without the spaces and tabs around it. {@code \\z}, not
     * {@code $}, which also matches before a final line terminator such as U+0085.
     */
    private static String asParsed(String value) {
        return value.replaceAll("^[ \\t]+|[ \\t]+\\z", "");
    }

    /** The reader hands the parser the bytes up to the first empty line, never what follows it. */
    private static byte[] headAsTheReaderFramesIt(byte[] bytes) {
        for (int i = 3; i < bytes.length; i++) {
            if (bytes[i - 3] == '\r' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r' && bytes[i] == '\n') {
                return Arrays.copyOf(bytes, i + 1);
            }
        }
        return bytes;
    }
}
