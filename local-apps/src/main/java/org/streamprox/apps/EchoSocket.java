package org.streamprox.apps;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

/**
 * Sends every text and binary message back as it came. It asks for the next message only once the echo has
 * been written, so a client that sends faster than it reads cannot make the server queue its messages.
 * Public only because Jetty calls WebSocket listeners through a public method lookup.
 */
public final class EchoSocket implements Session.Listener {

    private Session session;

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        session.demand();
    }

    @Override
    public void onWebSocketText(String message) {
        session.sendText(message, Callback.from(session::demand, this::failed));
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback received) {
        session.sendBinary(payload, Callback.from(() -> {
            received.succeed();
            session.demand();
        }, failure -> {
            received.fail(failure);
            failed(failure);
        }));
    }

    private void failed(Throwable failure) {
        session.close(StatusCode.SERVER_ERROR, "echo failed: " + failure.getMessage(), Callback.NOOP);
    }
}
