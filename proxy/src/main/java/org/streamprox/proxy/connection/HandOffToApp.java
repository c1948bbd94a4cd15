package org.streamprox.proxy.connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.streamprox.proxy.local.HandOff;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.transport.Transport;

/** Give the connection, with the bytes read so far, to a local app: no copy loop, the app reads the socket. */
record HandOffToApp(LocalApps apps, String app, ByteBuffer buffered) implements Plan {

    @Override
    public void carryOut(Transport client, ConnectionRecord record) {
        record.handOver();
        try {
            apps.handOff(new HandOff(app, client.channel(), buffered, record));
        } catch (IOException e) {
            Plan.end(client, record, Outcome.failed(e));
        }
    }
}
