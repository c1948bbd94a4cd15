package org.streamprox.proxy.http;

import java.util.Locale;
import java.util.regex.Pattern;

/** Reads the parts of a request target (RFC 9112 section 3.2) that routing and rewriting need. */
public final class RequestTarget {

    /** {@code scheme "://" authority}: a scheme is a letter followed by letters, digits, '+', '-' or '.'. */
    private static final Pattern ABSOLUTE_FORM = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*.*");

    private RequestTarget() {
    }

    /**
     * Where the path begins: 0 in the origin form, just after the authority in the absolute form (which may be
     * the end of the target or a '?'), -1 for the asterisk and authority forms, which have no path.
     */
    public static int pathStart(String target) {
        if (target.startsWith("/")) {
            return 0;
        }
        if (!ABSOLUTE_FORM.matcher(target).matches()) {
            return -1;
        }
        int authorityStart = target.indexOf("://") + 3;
        int end = authorityStart;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
            end++;
        }
        return end;
    }

    /** The path of a target without query: {@code /} when an absolute-form target has none, {@code *} or empty else. */
    static String path(String target) {
        int start = pathStart(target);
        if (start < 0) {
            return target.equals("*") ? "*" : "";
        }
        int end = start;
        while (end < target.length() && target.charAt(end) != '?' && target.charAt(end) != '#') {
            end++;
        }
        return end == start ? "/" : target.substring(start, end);
    }

    /** The authority of an absolute-form target as sent (the parser refuses user info), or null for any other form. */
    public static String authority(String target) {
        if (target.startsWith("/") || !ABSOLUTE_FORM.matcher(target).matches()) {
            return null;
        }
        return target.substring(target.indexOf("://") + 3, pathStart(target));
    }

    /** {@code Example.org:8080} becomes {@code example.org}; {@code [::1]:80} becomes {@code [::1]}. */
    static String hostWithoutPort(String authority) {
        String host = authority.trim();
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            host = close < 0 ? host : host.substring(0, close + 1);
        } else {
            int colon = host.lastIndexOf(':');
            host = colon < 0 ? host : host.substring(0, colon);
        }
        return host.toLowerCase(Locale.ROOT);
    }
}
