package org.streamprox.proxy.observe;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one line per finished connection to the {@code streamprox.access} logger, so operators can route it
 * to its own file. Fields are space separated, {@code -} where unknown:
 * {@code id client method path route target status bytes-in bytes-out duration-ms outcome}; a TLS connection has
 * {@code tls= sni= alpn=} before the status.
 */
public final class AccessLog implements ConnectionLog {

    private static final Logger LOG = LoggerFactory.getLogger("streamprox.access");

    @Override
    public void finished(ConnectionSummary connection) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LOG.info("#{} {} {} {} {} {}{} status={} in={} out={} {}ms {}", connection.id(), address(connection.client()),
                orDash(connection.method()), orDash(connection.path()), orDash(connection.route()),
                orDash(connection.target()), tls(connection.tls()), connection.responseStatus() == 0 ? "-" : connection.responseStatus(),
                connection.bytesFromClient(), connection.bytesToClient(), connection.duration().toMillis(),
                connection.outcome());
    }

    /**
     * {@code host:port} as an operator writes it: {@code 127.0.0.1:8080}, {@code [::1]:8080}, {@code [::]:8080},
     * without the resolver's {@code /} decoration or IPv6's runs of zero groups.
     */
    public static String address(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet)) {
            return String.valueOf(address);
        }
        if (inet.getAddress() instanceof Inet6Address ipv6) {
            return "[" + compressed(ipv6.getHostAddress()) + "]:" + inet.getPort();
        }
        return (inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress()) + ":"
                + inet.getPort();
    }

    /** RFC 5952's short form of the JDK's {@code 0:0:0:0:0:0:0:1}: the longest run of zero groups is {@code ::}. */
    static String compressed(String ipv6) {
        int scope = ipv6.indexOf('%');
        String[] groups = (scope < 0 ? ipv6 : ipv6.substring(0, scope)).split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int start = 0; start < groups.length; start++) {
            int length = 0;
            while (start + length < groups.length && groups[start + length].equals("0")) {
                length++;
            }
            if (length > bestLength) {
                bestStart = start;
                bestLength = length;
            }
        }
        if (bestStart < 0) {
            return ipv6;
        }
        String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail + (scope < 0 ? "" : ipv6.substring(scope));
    }

    private static String tls(ConnectionSummary.TlsSummary tls) {
        return tls == null ? "" : " tls=" + tls.protocol() + " sni=" + orDash(tls.serverName()) + " alpn="
                + orDash(tls.alpn());
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }
}
