package org.streamprox.demos;

import java.security.Security;

/**
 * Leaves keeping names' addresses to the pools. The JDK keeps every address it looked up for 30 s
 * ({@code networkaddress.cache.ttl}), so a pool that resolves its servers' names again every {@code resolve-interval}
 * would be told an address up to 30 s old, whatever the interval, and follow a server that moved that much later.
 * A pool keeps the addresses it has until it looks again, and nothing else in StreamProx looks names up, so the
 * command line turns the JDK's cache of successful lookups off, before anything looks a name up, unless the operator
 * chose a time for it ({@code -Dsun.net.inetaddr.ttl=...}, or {@code networkaddress.cache.ttl} in a security
 * properties file). Failed lookups stay the JDK's (10 s, {@code networkaddress.cache.negative.ttl}).
 */
final class NameCache {

    private static final String TTL = "networkaddress.cache.ttl";
    /** What the JDK reads when the security property is not set. */
    static final String TTL_PROPERTY = "sun.net.inetaddr.ttl";

    private NameCache() {
    }

    /**
     * Turns the cache off unless the security property or the system property the JDK falls back on is set; the
     * JDK reads them at its first lookup.
     */
    static void leaveToPools() {
        if (Security.getProperty(TTL) == null && System.getProperty(TTL_PROPERTY) == null) {
            Security.setProperty(TTL, "0");
        }
    }
}
