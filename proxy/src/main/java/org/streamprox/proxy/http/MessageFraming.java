package org.streamprox.proxy.http;

import java.util.List;
import java.util.Set;

/**
 * The body framing rules of RFC 9112 sections 6.1 to 6.3, applied to the first request before it is routed. A
 * message that two parsers could frame differently is the root of request smuggling, and the engine forwards the
 * head as it came, so it refuses every ambiguity instead of repairing it, as HAProxy's http mode does: at most one
 * {@code Content-Length} of plain digits; {@code Transfer-Encoding} only in HTTP/1.1, never with a
 * {@code Content-Length}, in one field whose codings are written the way clients write them and end with
 * {@code chunked}.
 */
final class MessageFraming {

    /** The codings that may come before the final {@code chunked}; all lower case, as clients send them. */
    private static final Set<String> CODINGS_BEFORE_CHUNKED = Set.of("gzip", "deflate", "compress");

    /** More digits than this could overflow a signed 64-bit length in the servers behind. */
    private static final int MAX_LENGTH_DIGITS = 18;

    private MessageFraming() {
    }

    /** Whether the field carries framing, so that even its whitespace must be unambiguous. */
    static boolean isFramingField(String name) {
        return name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding");
    }

    /** Refuses a head whose body framing is ambiguous or not understood; returns when it is plain. */
    static void check(String version, HeaderFields headers) throws HeadException {
        List<String> lengths = headers.all("Content-Length");
        List<String> codings = headers.all("Transfer-Encoding");
        if (!lengths.isEmpty() && !codings.isEmpty()) {
            throw refused("both Transfer-Encoding and Content-Length");
        }
        if (lengths.size() > 1) {
            throw refused("more than one Content-Length");
        }
        if (lengths.size() == 1 && !isDecimalLength(lengths.get(0))) {
            throw refused("Content-Length '" + HeadParser.printable(lengths.get(0)) + "' is not a decimal length");
        }
        if (codings.isEmpty()) {
            return;
        }
        if (!version.equals("HTTP/1.1")) {
            throw refused("Transfer-Encoding in an " + version + " request");
        }
        if (codings.size() > 1) {
            throw refused("more than one Transfer-Encoding");
        }
        if (!endsWithChunked(codings.get(0))) {
            throw refused("Transfer-Encoding '" + HeadParser.printable(codings.get(0))
                    + "' is not a list of known codings ending with chunked");
        }
    }

    private static boolean isDecimalLength(String value) {
        if (value.isEmpty() || value.length() > MAX_LENGTH_DIGITS) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** {@code chunked}, or known codings then {@code chunked}, separated by a comma and optional spaces. */
    private static boolean endsWithChunked(String value) {
        String[] codings = value.split(",", -1);
        for (int i = 0; i < codings.length; i++) {
            String coding = i == 0 ? codings[i] : withoutLeadingSpaces(codings[i]);
            boolean last = i == codings.length - 1;
            if (last ? !coding.equals("chunked") : !CODINGS_BEFORE_CHUNKED.contains(coding)) {
                return false;
            }
        }
        return true;
    }

    private static String withoutLeadingSpaces(String s) {
        int start = 0;
        while (start < s.length() && s.charAt(start) == ' ') {
            start++;
        }
        return s.substring(start);
    }

    private static HeadException refused(String why) {
        return new HeadException(400, "ambiguous message framing: " + why);
    }
}
