package org.streamprox.proxy.connection;

import java.io.IOException;
import org.streamprox.proxy.http.ErrorResponse;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.observe.Refusal;
import org.streamprox.proxy.transport.Transport;

/** Refuse with the engine's own HTTP answer, then close. */
record Answer(int status, Refusal why, String reason) implements Plan {

    @Override
    public void carryOut(Transport client, ConnectionRecord record) {
        Outcome outcome;
        record.respondedWith(status);
        try {
            int written = ErrorResponse.send(client, status, ErrorResponse.reasonPhrase(status) + ": " + reason);
            record.countBytes(0, written);
            outcome = Outcome.refused(status, why, reason);
        } catch (IOException e) {
            outcome = Outcome.refusedUndelivered(status, why, reason, e);
        }
        Plan.end(client, record, outcome);
    }
}
