package org.streamprox.proxy.connection;

import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.transport.Transport;

/** Close without a word: the client did not speak HTTP, stayed silent or went away, or reading from it failed. */
record Close(Outcome outcome) implements Plan {

    @Override
    public void carryOut(Transport client, ConnectionRecord record) {
        Plan.end(client, record, outcome);
    }
}
