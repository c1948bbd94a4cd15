package org.streamprox.proxy.remote;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.streamprox.proxy.route.Target;

/** Opens the connection to a remote target, turning each way it can fail into the status the client gets. */
public final class UpstreamConnector {

    /** The upstream could not be reached; {@link #status()} is {@code 502} or {@code 504}. */
    public static final class ConnectFailure extends Exception {

        private final int status;

        ConnectFailure(int status, String reason, Throwable cause) {
            super(reason, cause, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private UpstreamConnector() {
    }

    public static Socket connect(Target.Remote remote) throws ConnectFailure {
        Socket socket = new Socket();
        try {
            InetSocketAddress address = new InetSocketAddress(remote.host(), remote.port());
            if (address.isUnresolved()) {
                throw new UnknownHostException(remote.host());
            }
            socket.setTcpNoDelay(true);
            socket.connect(address, Math.toIntExact(remote.connectTimeout().toMillis()));
            return socket;
        } catch (SocketTimeoutException e) {
            close(socket);
            throw new ConnectFailure(504, "upstream " + remote.host() + ":" + remote.port()
                    + " did not accept within " + remote.connectTimeout().toMillis() + " ms", e);
        } catch (UnknownHostException e) {
            close(socket);
            throw new ConnectFailure(502, "upstream host " + remote.host() + " cannot be resolved", e);
        } catch (IOException e) {
            close(socket);
            throw new ConnectFailure(502, "upstream " + remote.host() + ":" + remote.port() + " refused or "
                    + "unreachable: " + e.getMessage(), e);
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing was sent on it.
        }
    }
}
