package org.streamprox.proxy.http;

/**
 * The authority grammar of RFC 3986 section 3.2 as HTTP uses it (RFC 9110 sections 4.2.4 and 7.2): a host and an
 * optional port, never user info. {@code Host} values and the authority of absolute- and authority-form targets
 * are checked against it, because the server behind the engine refuses or reads differently what it does not
 * match ({@code Host: x/foo}, {@code http://x@y/}); so is a {@code Host} that a route's rewrite sets.
 */
public final class Authority {

    private Authority() {
    }

    /**
     * Whether {@code authority} is {@code host [":" port]} with a host that is an IP literal in brackets or a
     * registered name (IPv4 addresses included), and a port of digits only.
     *
     * @param portRequired whether the port must be there, as in a {@code CONNECT} target
     */
    public static boolean isValid(String authority, boolean portRequired) {
        int hostEnd = authority.startsWith("[") ? ipLiteralEnd(authority) : regNameEnd(authority);
        if (hostEnd < 0) {
            return false;
        }
        if (hostEnd == authority.length()) {
            return !portRequired;
        }
        return authority.charAt(hostEnd) == ':' && isPort(authority, hostEnd + 1, portRequired);
    }

    /** The index after the closing bracket of {@code [v6 address]} or {@code [vX.future]}, or -1. */
    private static int ipLiteralEnd(String authority) {
        int close = authority.indexOf(']');
        if (close < 2) {
            return -1;
        }
        for (int i = 1; i < close; i++) {
            char c = authority.charAt(i);
            if (!(isHexDigit(c) || c == ':' || c == '.' || c == 'v' || c == 'V' || isUnreservedOrSubDelim(c))) {
                return -1;
            }
        }
        return close + 1;
    }

    /** The index of the first character after a registered name (unreserved, sub-delims, %XX), or -1. */
    private static int regNameEnd(String authority) {
        int i = 0;
        while (i < authority.length() && authority.charAt(i) != ':') {
            char c = authority.charAt(i);
            if (c == '%') {
                if (i + 2 >= authority.length() || !isHexDigit(authority.charAt(i + 1))
                        || !isHexDigit(authority.charAt(i + 2))) {
                    return -1;
                }
                i += 3;
            } else if (isUnreservedOrSubDelim(c)) {
                i++;
            } else {
                return -1;
            }
        }
        return i;
    }

    private static boolean isPort(String authority, int from, boolean required) {
        if (from == authority.length()) {
            return !required;
        }
        for (int i = from; i < authority.length(); i++) {
            if (authority.charAt(i) < '0' || authority.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isUnreservedOrSubDelim(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=".indexOf(c) >= 0;
    }

    private static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
