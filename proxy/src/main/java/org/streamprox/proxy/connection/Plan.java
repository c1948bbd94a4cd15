package org.streamprox.proxy.connection;

import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.transport.Transport;

/**
 * What to do with a connection once its head (or, passed through, its ClientHello) is read: answer in HTTP or with
 * a TLS alert, redirect, close, hand it off, or forward it.
 */
sealed interface Plan permits Answer, Alert, Redirection, Close, HandOffToApp, Forward {

    /**
     * Does it, on the connection's thread. Every plan ends the connection, now or, for a hand-off, through the app
     * it went to, and reports how to the record.
     */
    void carryOut(Transport client, ConnectionRecord record);

    /** Closes the client's side and finishes the record. */
    static void end(Transport client, ConnectionRecord record, Outcome outcome) {
        client.close();
        record.finish(outcome);
    }
}
