package org.streamprox.proxy.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.streamprox.testkit.Http.ascii;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamprox.proxy.detect.Probe.Answer;
import org.streamprox.proxy.http.HeadException;
import org.streamprox.proxy.http.HeadParser;

/** The HTTP/1.x probe against what the head parser takes, and against other protocols' first bytes. */
class HttpRequestLineProbeTest {

    private static Answer answer(String bytes) {
        return answer(ascii(bytes), bytes.length());
    }

    private static Answer answer(byte[] bytes, int length) {
        return HttpRequestLineProbe.INSTANCE.answer(bytes, length);
    }

    /** Every form of target, extension methods, lower case: the probe claims it, and never refuses a start of it. */
    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "get /index.html HTTP/1.0\r\n\r\n",
        "PROPFIND /dav/ HTTP/1.1\r\nHost: a\r\n\r\n",
        "M-SEARCH! /x?y HTTP/1.1\r\nHost: a\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        "CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n",
        "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n",
        "GET http://example.org/a HTTP/1.1\r\nHost: example.org\r\n\r\n",
        "POST svn+ssh.v2://h HTTP/1.1\r\nHost: h\r\n\r\n",
        "PRI / HTTP/1.1\r\nHost: a\r\n\r\n"
    })
    void matchesEveryRequestTheHeadParserTakes(String request) throws HeadException {
        byte[] bytes = ascii(request);
        HeadParser.parse(bytes, true);

        assertEquals(Answer.MATCH, answer(bytes, bytes.length));
        for (int length = 1; length < bytes.length; length++) {
            assertNotEquals(Answer.NO, answer(bytes, length), "after " + length + " bytes");
        }
    }

    /** A request line longer than the detector's limit must still be HTTP. */
    @Test
    void matchesAtTheStartOfTheTargetBeforeTheVersion() {
        assertEquals(Answer.MATCH, answer("GET /"));
        assertEquals(Answer.MATCH, answer("OPTIONS *"));
        assertEquals(Answer.MATCH, answer("CONNECT h"));
        assertEquals(Answer.MATCH, answer("GET https://"));
        assertEquals(Answer.NEED_MORE, answer("GET https:/"));
        assertEquals(Answer.NEED_MORE, answer("GET "));
        assertEquals(Answer.NEED_MORE, answer("GE"));
    }

    @Test
    void refusesTheHttp2PrefaceWhichIsH2c() {
        assertEquals(Answer.NO, answer("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        assertEquals(Answer.NO, answer("PRI *"));
        assertEquals(Answer.NEED_MORE, answer("PRI "));
    }

    /** Their version and software are tokens, so only the target tells them apart from a request line. */
    @ParameterizedTest
    @ValueSource(strings = {
        "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n",
        "SSH-2.0-PuTTY_Release_0.81\r\n",
        "SSH-1.99-Cisco-1.25\r\n",
        "SSH-2.0-Go\r\n"
    })
    void refusesSshBanners(String banner) {
        assertEquals(Answer.NO, answer(banner));
    }

    @Test
    void refusesBinaryBytesAtTheFirst() {
        assertEquals(Answer.NO, answer(new byte[] {0x16, 0x03, 0x01}, 1), "a TLS record");
        assertEquals(Answer.NO, answer(new byte[] {0}, 1));
        assertEquals(Answer.NO, answer(new byte[] {(byte) 0xc3}, 1));
        assertEquals(Answer.NO, answer("\r\nGET / HTTP/1.1\r\n"), "an empty line first");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET  / HTTP/1.1",
        "GET\t/ HTTP/1.1",
        " GET / HTTP/1.1",
        "GET * HTTP/1.1",
        "GET example.org:80 HTTP/1.1",
        "GET 1http://a/ HTTP/1.1",
        "GET http:x HTTP/1.1",
        "CONNECT \u0001"
    })
    void refusesRequestLinesTheHeadParserRefusesAtTheirStart(String line) {
        assertEquals(Answer.NO, answer(line));
    }
}
