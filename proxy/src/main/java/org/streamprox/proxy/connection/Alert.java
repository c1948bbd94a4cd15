package org.streamprox.proxy.connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.tls.TlsAlert;
import org.streamprox.proxy.transport.LingeringClose;
import org.streamprox.proxy.transport.Transport;

/**
 * Refuse a client that spoke TLS with a fatal alert, in plain as a handshake that has not begun sends it, then close.
 */
record Alert(int alert, String reason) implements Plan {

    @Override
    public void carryOut(Transport client, ConnectionRecord record) {
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
