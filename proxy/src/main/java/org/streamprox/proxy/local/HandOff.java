package org.streamprox.proxy.local;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import org.streamprox.proxy.observe.ConnectionRecord;

/**
 * A connection being handed to a local app.
 *
 * @param app           the app's name, as the route gave it
 * @param channel       the client's socket, in blocking mode
 * @param bufferedBytes what the engine has read from it: the head and whatever followed it in the same reads,
 *                      to be replayed to the app before anything else is read; decrypted when {@code tls} is present
 * @param tls           the client's TLS, when the engine terminated it: the app goes on with it
 * @param connection    the connection's record: the app side reports the bytes it moves, and finishes it when the
 *                      connection closes
 */
public record HandOff(String app, SocketChannel channel, ByteBuffer bufferedBytes, Optional<Tls> tls,
                      ConnectionRecord connection) {

    /** A hand-off of a plain connection. */
    public HandOff(String app, SocketChannel channel, ByteBuffer bufferedBytes, ConnectionRecord connection) {
        this(app, channel, bufferedBytes, Optional.empty(), connection);
    }

    /**
     * TLS the engine terminated and the app continues: the handshake is done, so the app's TLS layer only decrypts
     * and encrypts from here on.
     *
     * @param engine         the connection's engine, after its handshake
     * @param encryptedBytes what was read from the socket but not yet decrypted, to be decrypted before anything else
     */
    public record Tls(SSLEngine engine, ByteBuffer encryptedBytes) {
    }
}
