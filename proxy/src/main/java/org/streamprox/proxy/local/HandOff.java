package org.streamprox.proxy.local;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.streamprox.proxy.ConnectionInfo;

/**
 * A connection being handed to a local app: the socket in blocking mode, the bytes already read from it (the
 * head and whatever followed it in the same reads), and what the engine knows about the connection so the app
 * side can write the access-log line when the connection finishes.
 *
 * @param onClose the app side runs this once when the connection has closed, giving back the connection's
 *                place under the listener's connection limits
 */
public record HandOff(SocketChannel channel, ByteBuffer bufferedBytes, ConnectionInfo connection,
                      Runnable onClose) {
}
