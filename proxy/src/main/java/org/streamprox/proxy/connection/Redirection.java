package org.streamprox.proxy.connection;

import java.io.IOException;
import org.streamprox.proxy.http.ErrorResponse;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.transport.Transport;

/** Send the client elsewhere with the engine's own redirect, then close. */
record Redirection(int status, String location) implements Plan {

    @Override
    public void carryOut(Transport client, ConnectionRecord record) {
        record.respondedWith(status);
        Outcome outcome;
        try {
            record.countBytes(0, ErrorResponse.redirect(client, status, location));
            outcome = Outcome.redirected(location);
        } catch (IOException e) {
            outcome = Outcome.failed(e);
        }
        Plan.end(client, record, outcome);
    }
}
