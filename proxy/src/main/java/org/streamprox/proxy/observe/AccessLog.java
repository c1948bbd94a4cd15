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
 *
 * <p>The same fields go with the line as SLF4J key-value pairs, for encoders that write fields (the JSON log):
 * {@code id}, {@code client} and {@code client_port}, {@code via} and {@code via_port}, {@code method}, {@code path},
 * {@code route}, {@code target}, {@code protocol}, {@code tls}, {@code sni}, {@code alpn}, {@code status},
 * {@code bytes_in}, {@code bytes_out}, {@code duration_ms}, {@code outcome} (the kind, {@code client-reset}) and
 * {@code outcome_detail} (the text line's outcome field). Numbers are numbers; a field the text shows as {@code -}
 * has no pair.
 */
public final class AccessLog implements ConnectionLog {

    private static final Logger LOG = LoggerFactory.getLogger("streamprox.access");

    @Override
    public void finished(ConnectionSummary connection) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        AccessLine line = new AccessLine(LOG.atInfo())
                .field("#", "id", connection.id())
                .address(" ", "client", "client_port", connection.client());
        if (connection.proxiedBy() != null) {
            line.address(" via=", "via", "via_port", connection.proxiedBy());
        }
        line.field(" ", "method", connection.method())
                .field(" ", "path", connection.path())
                .field(" ", "route", connection.route())
                .field(" ", "target", connection.target());
        if (connection.protocol() != null) {
            line.field(" protocol=", "protocol", connection.protocol());
        }
        ConnectionSummary.TlsSummary tls = connection.tls();
        if (tls != null) {
            line.field(" tls=", "tls", tls.protocol())
                    .field(" sni=", "sni", tls.serverName())
                    .field(" alpn=", "alpn", tls.alpn());
        }
        Outcome outcome = connection.outcome();
        line.field(" status=", "status", connection.responseStatus() == 0 ? null : connection.responseStatus())
                .field(" in=", "bytes_in", connection.bytesFromClient())
                .field(" out=", "bytes_out", connection.bytesToClient())
                .field(" ", "duration_ms", connection.duration().toMillis()).text("ms")
                .pair("outcome", outcome.kind().label())
                .field(" ", "outcome_detail", outcome.toString())
                .write();
    }

    /**
     * {@code host:port} as an operator writes it: {@code 127.0.0.1:8080}, {@code [::1]:8080}, {@code [::]:8080},
     * without the resolver's {@code /} decoration or IPv6's runs of zero groups.
     */
    public static String address(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? withPort(host(inet), inet.getPort())
                : String.valueOf(address);
    }

    /** The host of {@link #address}, IPv6 without brackets: {@code 127.0.0.1}, {@code ::1}, {@code fe80::1%eth0}. */
    static String host(InetSocketAddress address) {
        if (address.getAddress() instanceof Inet6Address ipv6) {
            // The zone of a link-local address says which interface the client came in on.
            String written = ipv6.getHostAddress();
            int zone = written.indexOf('%');
            return IpAddresses.text(ipv6) + (zone < 0 ? "" : written.substring(zone));
        }
        return address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
    }

    /** {@code host:port}, an IPv6 host in brackets. */
    static String withPort(String host, int port) {
        return (host.indexOf(':') < 0 ? host : "[" + host + "]") + ":" + port;
    }
}
