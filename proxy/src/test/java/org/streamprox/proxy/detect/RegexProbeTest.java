package org.streamprox.proxy.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.streamprox.testkit.Http.ascii;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.streamprox.proxy.detect.Probe.Answer;

/** A user's regex over the first bytes: matched at their start, as ISO-8859-1, asking for more while it could match. */
class RegexProbeTest {

    private static Answer answer(String regex, byte... bytes) {
        return new RegexProbe(Pattern.compile(regex)).answer(bytes, bytes.length);
    }

    private static Answer answer(String regex, String bytes) {
        return answer(regex, ascii(bytes));
    }

    @Test
    void aBinaryHeaderIsAskedForUntilItIsWhole() {
        String header = "\\x00\\x00\\x00..\\x03";

        assertEquals(Answer.NEED_MORE, answer(header, (byte) 0, (byte) 0));
        assertEquals(Answer.NEED_MORE, answer(header, (byte) 0, (byte) 0, (byte) 0, (byte) 0xff, (byte) 7));
        assertEquals(Answer.MATCH, answer(header, (byte) 0, (byte) 0, (byte) 0, (byte) 0xff, (byte) 7, (byte) 3));
        assertEquals(Answer.NO, answer(header, (byte) 0, (byte) 0, (byte) 1));
    }

    @Test
    void aTextGreetingIsAskedForUntilItsLineEnds() {
        String greeting = "HELLO [a-z]+\\r\\n";

        assertEquals(Answer.NEED_MORE, answer(greeting, "HEL"));
        assertEquals(Answer.NEED_MORE, answer(greeting, "HELLO wor"));
        assertEquals(Answer.MATCH, answer(greeting, "HELLO world\r\nand what follows"));
        assertEquals(Answer.NO, answer(greeting, "HELLO World\r\n"));
    }

    @Test
    void matchesAtTheStartOnly() {
        assertEquals(Answer.NO, answer("world", "hello world"));
        assertEquals(Answer.MATCH, answer("hello", "hello world"));
    }

    /** One character per byte: not UTF-8, where é is two bytes. */
    @Test
    void seesTheBytesAsIso88591() {
        assertEquals(Answer.MATCH, answer("\\xff\\xfe", (byte) 0xff, (byte) 0xfe));
        assertEquals(Answer.MATCH, answer("é", (byte) 0xe9));
        assertEquals(Answer.NO, answer("é", (byte) 0xc3, (byte) 0xa9));
    }

    /** Such a match could be undone by the next byte, so it is never final: the detector counts it as no. */
    @Test
    void aMatchThatNeedsTheEndOfTheBytesAsksForMore() {
        assertEquals(Answer.NEED_MORE, answer("PING$", "PING"));
        assertEquals(Answer.NEED_MORE, answer("PING\\b", "PING"));
        assertEquals(Answer.MATCH, answer("PING\\b", "PING "));
        assertEquals(Answer.NEED_MORE, answer("PING(?!X)", "PING"));
        assertEquals(Answer.MATCH, answer("a+", "aa"), "a longer match would still be one");
    }
}
