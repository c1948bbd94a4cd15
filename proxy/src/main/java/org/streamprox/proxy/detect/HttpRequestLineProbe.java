package org.streamprox.proxy.detect;

import java.nio.charset.StandardCharsets;
import org.streamprox.proxy.http.HeadParser;

/**
 * Matches the start of an HTTP/1.x request line as {@link HeadParser} takes it: a method token (extension methods
 * too), one space, and the start of a target in one of its forms. It answers at the target's first bytes, not at the
 * version, so a request line longer than the detector's byte limit is still HTTP; in exchange, protocols that copy
 * HTTP's request line (RTSP, ICAP) match too unless a probe listed before this one claims them.
 *
 * <p>The HTTP/2 preface, {@code PRI * HTTP/2.0}, is not matched: the head parser takes the asterisk form for
 * {@code OPTIONS} only. Binary bytes are refused at the first one that is not a token character, TLS at its first.
 */
final class HttpRequestLineProbe implements Probe {

    static final HttpRequestLineProbe INSTANCE = new HttpRequestLineProbe();

    private static final byte[] OPTIONS = ascii("OPTIONS");
    private static final byte[] CONNECT = ascii("CONNECT");
    private static final byte[] SCHEME_END = ascii("://");

    private HttpRequestLineProbe() {
    }

    @Override
    public Answer answer(byte[] bytes, int length) {
        int methodEnd = 0;
        while (methodEnd < length && HeadParser.isTokenChar(bytes[methodEnd])) {
            methodEnd++;
        }
        if (methodEnd == length) {
            return Answer.NEED_MORE;
        }
        if (methodEnd == 0 || bytes[methodEnd] != ' ') {
            return Answer.NO;
        }
        int target = methodEnd + 1;
        if (target == length) {
            return Answer.NEED_MORE;
        }
        return switch (bytes[target]) {
            case '/' -> Answer.MATCH;
            case '*' -> isMethod(OPTIONS, bytes, methodEnd) ? Answer.MATCH : Answer.NO;
            default -> isMethod(CONNECT, bytes, methodEnd) ? authorityForm(bytes[target])
                    : absoluteForm(bytes, target, length);
        };
    }

    private static boolean isMethod(byte[] method, byte[] bytes, int methodEnd) {
        return methodEnd == method.length && PrefixProbe.startsWith(method, bytes, 0, methodEnd) == Answer.MATCH;
    }

    /** A CONNECT target is {@code host:port}: anything visible may start it, the head parser checks the rest. */
    private static Answer authorityForm(byte first) {
        return first > ' ' && first < 0x7f ? Answer.MATCH : Answer.NO;
    }

    /** {@code scheme "://"}, where a scheme is a letter followed by letters, digits, '+', '-' or '.'. */
    private static Answer absoluteForm(byte[] bytes, int target, int length) {
        if (!isLetter(bytes[target])) {
            return Answer.NO;
        }
        int schemeEnd = target + 1;
        while (schemeEnd < length && isSchemeChar(bytes[schemeEnd])) {
            schemeEnd++;
        }
        return PrefixProbe.startsWith(SCHEME_END, bytes, schemeEnd, length);
    }

    private static boolean isLetter(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }

    private static boolean isSchemeChar(byte b) {
        return isLetter(b) || (b >= '0' && b <= '9') || b == '+' || b == '-' || b == '.';
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
