package org.streamprox.proxy;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one line per finished connection to the {@code streamprox.access} logger, so operators can route it
 * to its own file. Fields are space separated, {@code -} where unknown:
 * {@code id client method path route target bytes-in bytes-out duration-ms outcome}.
 */
public final class AccessLog {

    private static final Logger LOG = LoggerFactory.getLogger("streamprox.access");

    private AccessLog() {
    }

    /**
     * @param bytesFromClient bytes read from the client, the head included
     * @param bytesToClient   bytes written to the client
     * @param outcome         a short word or phrase: {@code ok}, {@code 404 no route}, {@code upstream reset} ...
     */
    public static void finished(long id, SocketAddress client, long startNanos, String method, String path,
                                String route, String target, long bytesFromClient, long bytesToClient,
                                String outcome) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        long millis = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
        LOG.info("#{} {} {} {} {} {} in={} out={} {}ms {}", id, address(client), orDash(method), orDash(path),
                orDash(route), orDash(target), bytesFromClient, bytesToClient, millis, outcome);
    }

    public static void finished(ConnectionInfo info, long bytesFromClient, long bytesToClient, String outcome) {
        finished(info.id(), info.client(), info.startNanos(), info.method(), info.path(), info.route(),
                info.target(), bytesFromClient, bytesToClient, outcome);
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
