package org.streamprox.proxy.observe;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one line per finished connection to the {@code streamprox.access} logger, so operators can route it
 * to its own file. Fields are space separated, {@code -} where unknown:
 * {@code id client method path route target bytes-in bytes-out duration-ms outcome}.
 */
public final class AccessLog implements ConnectionLog {

    private static final Logger LOG = LoggerFactory.getLogger("streamprox.access");

    @Override
    public void finished(ConnectionSummary connection) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LOG.info("#{} {} {} {} {} {} in={} out={} {}ms {}", connection.id(), address(connection.client()),
                orDash(connection.method()), orDash(connection.path()), orDash(connection.route()),
                orDash(connection.target()), connection.bytesFromClient(), connection.bytesToClient(),
                connection.duration().toMillis(), connection.outcome());
    }

    /** {@code host:port} without the resolver's {@code /} decoration. */
    public static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() == null
                    ? inet.getHostString() + ":" + inet.getPort()
                    : inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }
}
