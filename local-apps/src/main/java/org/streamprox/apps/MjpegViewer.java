package org.streamprox.apps;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * One browser watching the motion-JPEG stream. At most one frame is ever on its way to it: a frame offered
 * while the previous one is still being written is dropped, so a slow viewer costs one frame of memory, not a
 * growing queue. Public only because Jetty calls WebSocket listeners through a public method lookup.
 */
public final class MjpegViewer implements Session.Listener.AutoDemanding {

    private final MjpegStream stream;
    private final AtomicBoolean sending = new AtomicBoolean();
    private volatile CoreSession coreSession;

    MjpegViewer(MjpegStream stream) {
        this.stream = stream;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        // Jetty's only Session implementation; its core session is the one the API session writes through.
        this.coreSession = ((WebSocketSession) session).getCoreSession();
        stream.add(this);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        stream.remove(this);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        stream.remove(this);
    }

    /**
     * Starts sending the frame, the UTF-8 bytes of a text message shared with every viewer, unless the previous
     * one is still being written; returns whether it did. The core session sends bytes as they are, where
     * {@code Session.sendText} would encode a string again for each viewer.
     */
    boolean offer(ByteBuffer frame) {
        if (!sending.compareAndSet(false, true)) {
            return false;
        }
        coreSession.sendFrame(new Frame(OpCode.TEXT, frame.slice()),
                Callback.from(() -> sending.set(false), failure -> sending.set(false)), false);
        return true;
    }
}
