package org.streamprox.proxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.streamprox.testkit.Http.ascii;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.streamprox.proxy.http.HeadParser;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.testkit.Origins;

class HeadRewriteTest {

    private static final String HEAD = "GET /google/search?q=x HTTP/1.1\r\nhost: localhost:8080\r\n"
            + "Accept: */*\r\nX-Drop: 1\r\nx-drop: 2\r\nCookie: a=1\r\n\r\n";

    private static RequestHead parse(String head) throws Exception {
        return HeadParser.parse(ascii(head), true);
    }

    private static String apply(HeadRewrite rewrite, String head) throws Exception {
        return new String(rewrite.apply(parse(head), Origins.PLAIN), StandardCharsets.ISO_8859_1);
    }

    @Test
    void noRewriteSendsTheOriginalBytes() throws Exception {
        RequestHead head = parse(HEAD);
        assertSame(head.raw(), HeadRewrite.NONE.apply(head, Origins.PLAIN));
    }

    @Test
    void setReplaceAndRemoveKeepTheOtherFieldsInOrder() throws Exception {
        HeadRewrite rewrite = new HeadRewrite(Map.of("Host", "echo.example.org", "X-Forwarded-Proto", "http"),
                Map.of("Cookie", "b=2", "X-Absent", "never"), List.of("x-drop"), Optional.empty());

        String rewritten = apply(rewrite, HEAD);

        assertEquals("GET /google/search?q=x HTTP/1.1\r\nhost: echo.example.org\r\nAccept: */*\r\n"
                + "Cookie: b=2\r\nX-Forwarded-Proto: http\r\n\r\n", rewritten);
        parse(rewritten);
    }

    @Test
    void stripsOrReplacesAPathPrefixKeepingTheQuery() throws Exception {
        HeadRewrite strip = new HeadRewrite(Map.of(), Map.of(), List.of(),
                Optional.of(new HeadRewrite.PrefixRewrite("/google", "")));
        HeadRewrite replace = new HeadRewrite(Map.of(), Map.of(), List.of(),
                Optional.of(new HeadRewrite.PrefixRewrite("/google", "/search-engine")));

        assertEquals("GET /search?q=x HTTP/1.1", apply(strip, HEAD).lines().findFirst().orElseThrow());
        assertEquals("GET / HTTP/1.1", apply(strip, "GET /google HTTP/1.1\r\nHost: a\r\n\r\n").lines()
                .findFirst().orElseThrow());
        assertEquals("GET /search-engine/search?q=x HTTP/1.1", apply(replace, HEAD).lines().findFirst()
                .orElseThrow());
        assertEquals("GET /other HTTP/1.1", apply(strip, "GET /other HTTP/1.1\r\nHost: a\r\n\r\n").lines()
                .findFirst().orElseThrow());
    }

    /** {@code path-prefix} keeps the original's plain prefix match; the rewrite must not make {@code /apis} {@code /s}. */
    @Test
    void aPrefixIsStrippedOnlyWhereAPathSegmentEnds() throws Exception {
        HeadRewrite strip = new HeadRewrite(Map.of(), Map.of(), List.of(),
                Optional.of(new HeadRewrite.PrefixRewrite("/api", "")));
        for (String[] pair : new String[][] {{"/apis", "/apis"}, {"/api", "/"}, {"/api/x", "/x"}, {"/api?q=1", "/?q=1"},
                {"/apix/y", "/apix/y"}}) {
            String head = "GET " + pair[0] + " HTTP/1.1\r\nHost: a\r\n\r\n";
            assertEquals("GET " + pair[1] + " HTTP/1.1", apply(strip, head).lines().findFirst().orElseThrow(), pair[0]);
        }
    }

    @Test
    void anAbsoluteFormTargetBecomesOriginFormSoTheHostRewriteIsTheOneObeyed() throws Exception {
        HeadRewrite google = new HeadRewrite(Map.of("Host", "www.google.com"), Map.of(), List.of(),
                Optional.of(new HeadRewrite.PrefixRewrite("/google", "")));
        assertEquals("GET /x?q=1 HTTP/1.1\r\nHost: www.google.com\r\n\r\n",
                apply(google, "GET http://localhost:8080/google/x?q=1 HTTP/1.1\r\nHost: localhost:8080\r\n\r\n"));
    }

    @Test
    void anAbsoluteFormTargetWithoutHostKeepsItsAuthorityInHost() throws Exception {
        HeadRewrite dropCookie = new HeadRewrite(Map.of(), Map.of(), List.of("Cookie"),
                Optional.of(new HeadRewrite.PrefixRewrite("/", "/app/")));
        assertEquals("GET /app/?x=/a HTTP/1.0\r\nHost: h:81\r\n\r\n",
                apply(dropCookie, "GET http://h:81?x=/a HTTP/1.0\r\nCookie: c\r\n\r\n"));
    }

    @Test
    void aRequestLineOnlyHeadStaysARequestLine() throws Exception {
        HeadRewrite strip = new HeadRewrite(Map.of(), Map.of(), List.of(),
                Optional.of(new HeadRewrite.PrefixRewrite("/a", "/b")));
        RequestHead line = HeadParser.parse(ascii("GET /a/x HTTP/1.1\r\n"), false);
        assertEquals("GET /b/x HTTP/1.1\r\n",
                new String(strip.apply(line, Origins.PLAIN), StandardCharsets.ISO_8859_1));
    }

    @Test
    void valuesThatWouldSplitTheHeadAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new HeadRewrite(Map.of("Host", "a\r\nX: injected"),
                Map.of(), List.of(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new HeadRewrite(Map.of("Bad Name", "v"),
                Map.of(), List.of(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new HeadRewrite(Map.of(), Map.of(), List.of(),
                Optional.of(new HeadRewrite.PrefixRewrite("/a", "/b c"))));
        assertThrows(IllegalArgumentException.class, () -> new HeadRewrite(Map.of(), Map.of(), List.of(),
                Optional.of(new HeadRewrite.PrefixRewrite("/a", "/b?c"))));
    }
}
