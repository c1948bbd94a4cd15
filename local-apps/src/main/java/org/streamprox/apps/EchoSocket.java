package org.streamprox.apps;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every text and binary message back as it came. It asks for the next message only once the echo has
 * been written, so a client that sends faster than it reads cannot make the server queue its messages.
 * Public only because Jetty calls WebSocket listeners through a public method lookup.
 */
public final class EchoSocket implements Session.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(EchoSocket.class);

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

    @Override
    public void onWebSocketError(Throwable cause) {
        // Usually a client that went away without a close frame: nothing to do, and nothing worth a warning.
        LOG.debug("echo session ended with an error", cause);
    }

    private void failed(Throwable failure) {
        session.close(StatusCode.SERVER_ERROR, "echo failed: " + failure.getMessage(), Callback.NOOP);
    }
}
