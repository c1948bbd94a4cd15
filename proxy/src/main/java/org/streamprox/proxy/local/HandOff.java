package org.streamprox.proxy.local;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.streamprox.proxy.observe.ConnectionRecord;

/**
 * A connection being handed to a local app.
 *
 * @param app           the app's name, as the route gave it
 * @param channel       the client's socket, in blocking mode
 * @param bufferedBytes what the engine has read from it: the head and whatever followed it in the same reads,
 *                      to be replayed to the app before anything else is read
 * @param connection    the connection's record: the app side reports the bytes it moves, and finishes it when the
 *                      connection closes
 */
public record HandOff(String app, SocketChannel channel, ByteBuffer bufferedBytes, ConnectionRecord connection) {
}
