package org.streamprox.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.streamprox.testkit.Http.ascii;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing of the framing rules: whenever the parser accepts a head, servers that read body framing
 * in different lenient ways (the ways smuggling exploits) all frame it the same. If they could disagree, the
 * engine must have refused the head.
 *
 * <p>Kept inputs: {@code src/test/resources/org/streamprox/proxy/http/MessageFramingFuzzTestInputs/}.
 */
class MessageFramingFuzzTest {

    static Stream<Arguments> framings() {
        return Stream.of(
                Arguments.of(false, ascii("Transfer-Encoding: chunked")),
                Arguments.of(true, ascii("Content-Length: 5")),
                Arguments.of(false, ascii("Content-Length: 5\r\nTransfer-Encoding: chunked")),
                Arguments.of(false, ascii("Transfer-Encoding: gzip, chunked\r\nX: y")),
                Arguments.of(true, ascii("Content-Length: 5\r\ncontent-length:\t5")),
                Arguments.of(false, ascii("Transfer-Encoding: chunked\r\nTransfer-encoding: identity")));
    }

    @MethodSource("framings")
    @FuzzTest(maxDuration = "12s")
    void acceptedHeadsAreFramedAlikeByLenientServers(boolean http10, byte @NotNull [] fields) {
        byte[] start = ascii("POST /a HTTP/1." + (http10 ? "0" : "1") + "\r\nHost: a\r\n");
        byte[] head = Arrays.copyOf(start, start.length + fields.length + 4);
        System.arraycopy(fields, 0, head, start.length, fields.length);
        System.arraycopy(ascii("\r\n\r\n"), 0, head, start.length + fields.length, 4);
        RequestHead parsed;
        try {
            parsed = HeadParser.parse(head, true);
        } catch (HeadException e) {
            return;
        }
        List<String[]> lines = rawFields(parsed.raw());
        Map<String, String> framings = new HashMap<>(Map.of(
                "transfer-encoding first", teFirst(lines),
                "content-length first, last value", clFirst(lines),
                "RFC 9112, codings case-insensitive", rfc(lines, http10)));
        if (http10) {
            framings.put("HTTP/1.0 server", http10Server(lines));
        }
        assertEquals(1, framings.values().stream().distinct().count(),
                "accepted, but framed differently: " + framings + " for "
                        + new String(fields, StandardCharsets.ISO_8859_1));
    }

    /** Name and value (with the whitespace around it) of each header line, as a lenient reader splits them. */
    private static List<String[]> rawFields(byte[] raw) {
        String[] lines = new String(raw, StandardCharsets.ISO_8859_1).split("\r\n");
        List<String[]> fields = new ArrayList<>();
        // The header block ends at the first empty line; the parser reads nothing after it.
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            int colon = lines[i].indexOf(':');
            fields.add(new String[] {lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1)});
        }
        return fields;
    }

    private static List<String> values(List<String[]> fields, String name, Function<String, String> trim) {
        return fields.stream().filter(f -> f[0].equals(name)).map(f -> trim.apply(f[1])).collect(Collectors.toList());
    }

    private static String spacesOnly(String value) {
        return value.replaceAll("^ +| +$", "");
    }

    private static String whitespace(String value) {
        return value.replaceAll("^[ \t]+|[ \t]+$", "");
    }

    /** Any coding mentioning chunked wins; else the first length, read with a sign allowed. */
    private static String teFirst(List<String[]> fields) {
        if (values(fields, "transfer-encoding", MessageFramingFuzzTest::whitespace).stream()
                .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))) {
            return "chunked";
        }
        List<String> lengths = values(fields, "content-length", MessageFramingFuzzTest::whitespace);
        return lengths.isEmpty() ? "none" : lenientLength(lengths.get(0));
    }

    /** A length wins over codings, and the last one counts; codings are split on commas with spaces only. */
    private static String clFirst(List<String[]> fields) {
        List<String> lengths = values(fields, "content-length", MessageFramingFuzzTest::spacesOnly);
        if (!lengths.isEmpty()) {
            return lenientLength(lengths.get(lengths.size() - 1));
        }
        List<String> codings = values(fields, "transfer-encoding", MessageFramingFuzzTest::spacesOnly);
        if (codings.isEmpty()) {
            return "none";
        }
        String[] list = codings.get(codings.size() - 1).split(",");
        return spacesOnly(list[list.length - 1]).equals("chunked") ? "chunked" : "until close";
    }

    /** Knows no Transfer-Encoding at all, as an HTTP/1.0 server may: a length or nothing. */
    private static String http10Server(List<String[]> fields) {
        List<String> lengths = values(fields, "content-length", MessageFramingFuzzTest::whitespace);
        if (!lengths.isEmpty()) {
            return lenientLength(lengths.get(0));
        }
        return values(fields, "transfer-encoding", v -> v).isEmpty() ? "none" : "until close";
    }

    /** Section 6.3 read generously: codings case-insensitive across all fields, equal length lists merged. */
    private static String rfc(List<String[]> fields, boolean http10) {
        List<String> codings = values(fields, "transfer-encoding", MessageFramingFuzzTest::whitespace);
        if (!codings.isEmpty() && !http10) {
            String[] list = String.join(",", codings).split(",");
            return whitespace(list[list.length - 1]).equalsIgnoreCase("chunked") ? "chunked" : "invalid";
        }
        List<String> lengths = values(fields, "content-length", MessageFramingFuzzTest::whitespace).stream()
                .flatMap(v -> Stream.of(v.split(","))).map(MessageFramingFuzzTest::whitespace).distinct().toList();
        if (lengths.isEmpty()) {
            return codings.isEmpty() ? "none" : "until close";
        }
        return lengths.size() == 1 ? lenientLength(lengths.get(0)) : "invalid";
    }

    private static String lenientLength(String value) {
        try {
            return "length " + Long.parseLong(value.split(",")[0].strip());
        } catch (NumberFormatException e) {
            return "invalid";
        }
    }
}
