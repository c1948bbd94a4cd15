package org.streamprox.proxy.connection;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.http.HeadException;
import org.streamprox.proxy.http.HeadReader;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.transport.Transport;

/**
 * One accepted connection, served on its own virtual thread, in stages: read the head, check admission, route,
 * carry out the plan. Each stage reports to the connection's record; the plan ends the connection.
 */
public final class ClientConnection implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    private final ListenerContext context;
    private final Transport client;
    private final ConnectionRecord record;

    public ClientConnection(ListenerContext context, Transport client, ConnectionRecord record) {
        this.context = context;
        this.client = client;
        this.record = record;
        record.onAbort(why -> client.close());
    }

    @Override
    public void run() {
        try {
            plan().carryOut(client, record);
        } catch (RuntimeException | Error e) {
            LOG.error("#{} unexpected failure", record.id(), e);
            Plan.end(client, record, Outcome.internalError(e));
            if (e instanceof Error error) {
                throw error;
            }
        }
    }

    /** The stages before the plan: read the head, check admission, route. A refusal at any of them is a plan too. */
    private Plan plan() {
        HeadReader.Result read;
        try {
            read = context.heads().read(client);
        } catch (HeadException e) {
            record.countBytes(e.bytesRead(), 0);
            if (!record.headStageOver()) {
                return placeGivenUp(e.bytesRead() > 0);
            }
            return e.answerable() ? new Answer(e.status(), e.getMessage()) : new Close(Outcome.closed(e.getMessage()));
        } catch (IOException e) {
            return record.headStageOver() ? new Close(Outcome.failed(e)) : placeGivenUp(false);
        }
        record.firstRequest(read.head().method(), read.head().path(), read.bytesRead());
        if (!record.headStageOver()) {
            return placeGivenUp(true);
        }
        if (record.overClientLimit()) {
            return new Answer(429, "more than " + context.settings().connections().maxConnectionsPerClient()
                    + " connections from this address");
        }
        return Routing.plan(context, read, record);
    }

    /** The listener was full and gave this connection's place to a newer one before its head was complete. */
    private static Plan placeGivenUp(boolean sentSomething) {
        String reason = "listener full: its place went to a new connection while its head was still coming";
        return sentSomething ? new Answer(408, reason) : new Close(Outcome.closed(reason));
    }
}
