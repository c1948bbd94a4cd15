package org.streamprox.proxy.route;

import java.util.Locale;
import java.util.function.Predicate;

/**
 * A host name as routes match it, in the {@code Host} header or a ClientHello's server name: exact, or
 * {@code *.example.org} for any name below example.org; case is ignored.
 */
final class HostPattern implements Predicate<String> {

    private final String exact;
    private final String suffix;

    HostPattern(String pattern) {
        String wanted = pattern.toLowerCase(Locale.ROOT);
        boolean wildcard = wanted.startsWith("*.");
        exact = wildcard ? null : wanted;
        suffix = wildcard ? wanted.substring(1) : null;
    }

    /** @param host lower case, without port */
    @Override
    public boolean test(String host) {
        return exact != null ? exact.equals(host) : host.endsWith(suffix) && host.length() > suffix.length();
    }
}
