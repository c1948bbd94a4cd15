package org.streamprox.proxy.http;

import java.util.Locale;

/** Reads the parts of a request target (RFC 9112 section 3.2) that routing needs. */
final class RequestTarget {

    private RequestTarget() {
    }

    /** The path of a target, without query; {@code *} for the asterisk form, empty for the authority form. */
    static String path(String target) {
        String rest = target;
        int scheme = target.indexOf("://");
        if (scheme > 0 && target.charAt(0) != '/') {
            int pathStart = target.indexOf('/', scheme + 3);
            int queryStart = target.indexOf('?', scheme + 3);
            if (pathStart < 0 || (queryStart >= 0 && queryStart < pathStart)) {
                return "/";
            }
            rest = target.substring(pathStart);
        } else if (target.charAt(0) != '/' && !target.equals("*")) {
            return "";
        }
        int query = rest.indexOf('?');
        return query < 0 ? rest : rest.substring(0, query);
    }

    /** The authority of an absolute-form target, or null for any other form. */
    static String authority(String target) {
        int scheme = target.indexOf("://");
        if (scheme <= 0 || target.charAt(0) == '/') {
            return null;
        }
        int start = scheme + 3;
        int end = start;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
            end++;
        }
        String authority = target.substring(start, end);
        int userInfo = authority.lastIndexOf('@');
        return userInfo < 0 ? authority : authority.substring(userInfo + 1);
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
