package org.streamprox.apps;

import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One browser watching the motion-JPEG stream. At most one frame is ever on its way to it: a frame offered
 * while the previous one is still being written is dropped, so a slow viewer costs one frame of memory, not a
 * growing queue. Public only because Jetty calls WebSocket listeners through a public method lookup.
 */
public final class MjpegViewer implements Session.Listener.AutoDemanding {

    private final MjpegStream stream;
    private final AtomicBoolean sending = new AtomicBoolean();
    private volatile Session session;

    MjpegViewer(MjpegStream stream) {
        this.stream = stream;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
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

    /** Starts sending the frame unless the previous one is still being written; returns whether it did. */
    boolean offer(String frame) {
        if (!sending.compareAndSet(false, true)) {
            return false;
        }
        session.sendText(frame, Callback.from(() -> sending.set(false), failure -> sending.set(false)));
        return true;
    }
}
