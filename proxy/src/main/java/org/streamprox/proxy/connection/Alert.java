package org.streamprox.proxy.connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.tls.TlsAlert;
import org.streamprox.proxy.transport.LingeringClose;
import org.streamprox.proxy.transport.Transport;

/**
 * Refuse a client that spoke TLS with a fatal alert, in plain as a handshake that has not begun sends it, then close;
 * {@link TlsAlert#NONE} closes without one (the client went away, or the TLS engine already sent its own).
 */
record Alert(int alert, String reason) implements Plan {

    @Override
    public void carryOut(Transport client, ConnectionRecord record) {
        if (alert == TlsAlert.NONE) {
            Plan.end(client, record, Outcome.closed(reason));
            return;
        }
        Outcome outcome = Outcome.alerted(TlsAlert.name(alert), reason);
        try {
            ByteBuffer bytes = TlsAlert.fatal(alert);
            int length = bytes.remaining();
            client.write(bytes);
            record.countBytes(0, length);
            LingeringClose.afterAnswer(client);
        } catch (IOException e) {
            outcome = Outcome.alerted(TlsAlert.name(alert), reason + " (not delivered: " + e.getMessage() + ")");
        }
        Plan.end(client, record, outcome);
    }
}
