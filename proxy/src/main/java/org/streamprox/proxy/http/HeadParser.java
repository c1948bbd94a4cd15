package org.streamprox.proxy.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a complete head strictly after RFC 9112: single spaces in the request line, CRLF line ends, no
 * obsolete line folding, no control bytes. Anything else is a {@code 400} (or {@code 505} for a well-formed
 * request line of another HTTP version), never a guess, because the engine routes on what it parses and the
 * server behind it must not read the same bytes differently.
 */
public final class HeadParser {

    private HeadParser() {
    }

    /**
     * @param bytes the head, ending with the CRLF of the request line or the empty line after the headers
     * @param withHeaders whether header fields follow the request line
     */
    public static RequestHead parse(byte[] bytes, boolean withHeaders) throws HeadException {
        int lineEnd = lineEnd(bytes, 0);
        RequestLine line = requestLine(bytes, lineEnd);
        HeaderFields headers = withHeaders ? headers(bytes, lineEnd + 2) : HeaderFields.empty();
        if (withHeaders) {
            checkHost(line, headers);
            MessageFraming.check(line.version(), headers);
        }
        return new RequestHead(line.method(), line.target(), RequestTarget.path(line.target()), line.version(),
                headers, bytes);
    }

    /** The three parts of a request line. */
    record RequestLine(String method, String target, String version) {
    }

    /**
     * Parses and checks the request line {@code bytes[0, end)}: the head reader calls this as soon as the line has
     * arrived, so a line that cannot be a request is answered at once, not at the head deadline.
     */
    static RequestLine requestLine(byte[] bytes, int end) throws HeadException {
        int firstSpace = indexOf(bytes, (byte) ' ', 0, end);
        int secondSpace = firstSpace < 0 ? -1 : indexOf(bytes, (byte) ' ', firstSpace + 1, end);
        if (secondSpace < 0 || indexOf(bytes, (byte) ' ', secondSpace + 1, end) >= 0) {
            throw new HeadException(400, "malformed request line: expected METHOD SP TARGET SP VERSION");
        }
        if (firstSpace == 0 || !isToken(bytes, 0, firstSpace)) {
            throw new HeadException(400, "malformed request line: the method is not a token");
        }
        if (secondSpace == firstSpace + 1 || !isVisibleAscii(bytes, firstSpace + 1, secondSpace)) {
            throw new HeadException(400, "malformed request line: the target is empty or not visible ASCII");
        }
        String version = ascii(bytes, secondSpace + 1, end);
        if (!isVersion(version)) {
            throw new HeadException(400, "malformed request line: bad version '" + printable(version) + "'");
        }
        if (version.charAt(5) != '1') {
            throw new HeadException(505, "HTTP version " + version + " is not supported on this port");
        }
        RequestLine line = new RequestLine(ascii(bytes, 0, firstSpace), ascii(bytes, firstSpace + 1, secondSpace),
                version);
        checkTargetForm(line.method(), line.target());
        return line;
    }

    /** {@code HTTP/d.d}, checked by hand: this runs for every connection. */
    private static boolean isVersion(String version) {
        return version.length() == 8 && version.startsWith("HTTP/") && isDigit(version.charAt(5))
                && version.charAt(6) == '.' && isDigit(version.charAt(7));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static void checkTargetForm(String method, String target) throws HeadException {
        boolean valid = switch (target.charAt(0)) {
            case '/' -> true;
            case '*' -> target.length() == 1 && method.equals("OPTIONS");
            default -> method.equals("CONNECT")
                    ? Authority.isValid(target, true)
                    : RequestTarget.authority(target) != null && Authority.isValid(RequestTarget.authority(target), false);
        };
        if (!valid) {
            throw new HeadException(400, "malformed request target '" + printable(target) + "' for " + method
                    + (target.contains("@") ? " (user info is not allowed)" : ""));
        }
    }

    private static HeaderFields headers(byte[] bytes, int start) throws HeadException {
        List<HeaderFields.Field> fields = new ArrayList<>();
        int lineStart = start;
        while (true) {
            int end = lineEnd(bytes, lineStart);
            if (end == lineStart) {
                return new HeaderFields(fields);
            }
            fields.add(field(bytes, lineStart, end));
            lineStart = end + 2;
        }
    }

    private static HeaderFields.Field field(byte[] bytes, int start, int end) throws HeadException {
        if (bytes[start] == ' ' || bytes[start] == '\t') {
            throw new HeadException(400, "obsolete line folding in the header block");
        }
        int colon = indexOf(bytes, (byte) ':', start, end);
        if (colon <= start || !isToken(bytes, start, colon)) {
            throw new HeadException(400, "malformed header line: the name is missing or not a token");
        }
        int valueStart = colon + 1;
        int valueEnd = end;
        while (valueStart < valueEnd && isWhitespace(bytes[valueStart])) {
            valueStart++;
        }
        while (valueEnd > valueStart && isWhitespace(bytes[valueEnd - 1])) {
            valueEnd--;
        }
        for (int i = valueStart; i < valueEnd; i++) {
            int b = bytes[i] & 0xff;
            if ((b < 0x20 && b != '\t') || b == 0x7f) {
                throw new HeadException(400, String.format("control byte 0x%02x in header %s", b,
                        ascii(bytes, start, colon)));
            }
        }
        String name = ascii(bytes, start, colon);
        if ((indexOf(bytes, (byte) '\t', colon + 1, valueStart) >= 0 || indexOf(bytes, (byte) '\t', valueEnd, end) >= 0)
                && MessageFraming.isFramingField(name)) {
            throw new HeadException(400, "ambiguous message framing: tab around the value of " + name);
        }
        return new HeaderFields.Field(name, new String(bytes, valueStart, valueEnd - valueStart,
                StandardCharsets.ISO_8859_1));
    }

    /**
     * One valid {@code Host}, required in HTTP/1.1, and agreeing with an absolute-form target: the engine and the
     * server behind it must not pick different hosts for the same request.
     */
    private static void checkHost(RequestLine line, HeaderFields headers) throws HeadException {
        List<String> hosts = headers.all("Host");
        if (hosts.size() > 1) {
            throw new HeadException(400, "more than one Host header");
        }
        if (hosts.isEmpty()) {
            if (line.version().equals("HTTP/1.1")) {
                throw new HeadException(400, "HTTP/1.1 request without a Host header");
            }
            return;
        }
        String host = hosts.get(0);
        // Empty is allowed: it is what a request whose target has no authority sends (RFC 9110 section 7.2).
        if (!host.isEmpty() && !Authority.isValid(host, false)) {
            throw new HeadException(400, "Host header '" + printable(host) + "' is not a host and optional port");
        }
        String authority = RequestTarget.authority(line.target());
        if (authority != null
                && !RequestTarget.hostWithoutPort(authority).equals(RequestTarget.hostWithoutPort(host))) {
            throw new HeadException(400, "Host header does not match the absolute-form target");
        }
    }

    /** The index of the CR of the CRLF that ends the line starting at {@code from}. */
    private static int lineEnd(byte[] bytes, int from) throws HeadException {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        throw new HeadException(400, "head does not end with CRLF");
    }

    private static int indexOf(byte[] bytes, byte wanted, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[Character.toUpperCase(c)] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    /** Whether the byte may appear in a token (RFC 9110 tchar). */
    public static boolean isTokenChar(int b) {
        return b >= 0 && b < 128 && TOKEN[b];
    }

    /** Whether the whole string is a non-empty token, as a header name must be. */
    public static boolean isToken(String s) {
        return !s.isEmpty() && s.chars().allMatch(HeadParser::isTokenChar);
    }

    private static boolean isToken(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isTokenChar(bytes[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean isVisibleAscii(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] < 0x21 || bytes[i] > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }

    private static String ascii(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** For log lines: control and non-ASCII characters shown as {@code ?}, long values cut. */
    static String printable(String s) {
        char[] chars = s.substring(0, Math.min(s.length(), 64)).toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] < 0x20 || chars[i] > 0x7e) {
                chars[i] = '?';
            }
        }
        return new String(chars) + (s.length() > 64 ? "..." : "");
    }
}
