package org.streamprox.proxy.detect;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user's protocol, recognised by a regular expression as sslh's {@code regex} probe does. The pattern sees the
 * bytes as ISO-8859-1 text, one character per byte ({@code \x00} to {@code \xff}), and must match at their start
 * ({@link Matcher#lookingAt()}); it need not cover all of them.
 *
 * <p>While the pattern does not match but more bytes could make it ({@link Matcher#hitEnd()}), or matches only
 * while no more bytes follow ({@link Matcher#requireEnd()}: a {@code $}, a {@code \b} or a lookahead at the end), the
 * answer is {@link Answer#NEED_MORE}. So the answer does not depend on how the bytes arrived, and a pattern that
 * needs the end of the bytes never matches: the detector reads no further than its byte limit.
 */
final class RegexProbe implements Probe {

    private final Pattern pattern;

    RegexProbe(Pattern pattern) {
        this.pattern = pattern;
    }

    @Override
    public Answer answer(byte[] bytes, int length) {
        Matcher matcher = pattern.matcher(new Latin1(bytes, length));
        if (matcher.lookingAt()) {
            return matcher.requireEnd() ? Answer.NEED_MORE : Answer.MATCH;
        }
        return matcher.hitEnd() ? Answer.NEED_MORE : Answer.NO;
    }

    /** The bytes as ISO-8859-1 characters, without copying them. */
    private record Latin1(byte[] bytes, int length) implements CharSequence {

        @Override
        public char charAt(int index) {
            return (char) (bytes[index] & 0xff);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        }
    }
}
