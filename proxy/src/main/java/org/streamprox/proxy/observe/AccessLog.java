package org.streamprox.proxy.observe;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.net.IpAddresses;

/**
 * Writes one line per finished connection to the {@code streamprox.access} logger, so operators can route it
 * to its own file. Fields are space separated, {@code -} where unknown:
 * {@code id client method path route target status bytes-in bytes-out duration-ms outcome}; a client named by a
 * proxy's PROXY header has {@code via=} the proxy after it, a connection in another protocol than HTTP has
 * {@code protocol=} and a TLS connection {@code tls= sni= alpn=} before the status.
 */
public final class AccessLog implements ConnectionLog {

    private static final Logger LOG = LoggerFactory.getLogger("streamprox.access");

    @Override
    public void finished(ConnectionSummary connection) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LOG.info("#{} {}{} {} {} {} {}{}{} status={} in={} out={} {}ms {}", connection.id(),
                address(connection.client()), connection.proxiedBy() == null ? "" : " via="
                        + address(connection.proxiedBy()), orDash(connection.method()), orDash(connection.path()),
                orDash(connection.route()), orDash(connection.target()),
                connection.protocol() == null ? "" : " protocol=" + connection.protocol(), tls(connection.tls()),
                connection.responseStatus() == 0 ? "-" : connection.responseStatus(), connection.bytesFromClient(),
                connection.bytesToClient(), connection.duration().toMillis(), connection.outcome());
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
            // The zone of a link-local address says which interface the client came in on.
            String written = ipv6.getHostAddress();
            int zone = written.indexOf('%');
            return "[" + IpAddresses.text(ipv6) + (zone < 0 ? "" : written.substring(zone)) + "]:" + inet.getPort();
        }
        return (inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress()) + ":"
                + inet.getPort();
    }

    private static String tls(ConnectionSummary.TlsSummary tls) {
        return tls == null ? "" : " tls=" + tls.protocol() + " sni=" + orDash(tls.serverName()) + " alpn="
                + orDash(tls.alpn());
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }
}
