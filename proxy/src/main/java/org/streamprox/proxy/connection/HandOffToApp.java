package org.streamprox.proxy.connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.streamprox.proxy.local.HandOff;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.tls.TlsTransport;
import org.streamprox.proxy.transport.Transport;

/**
 * Give the connection, with the bytes read so far, to a local app: no copy loop, the app reads the socket. A
 * connection whose TLS the engine terminated goes with its TLS state, and the app goes on decrypting it.
 */
record HandOffToApp(LocalApps apps, String app, ByteBuffer buffered) implements Plan {

    @Override
    public void carryOut(Transport client, ConnectionRecord record) {
        record.handOver();
        try {
            apps.handOff(client instanceof TlsTransport tls ? overTls(tls, record)
                    : new HandOff(app, client.channel(), buffered, record));
        } catch (IOException e) {
            Plan.end(client, record, Outcome.failed(e));
        }
    }

    private HandOff overTls(TlsTransport tls, ConnectionRecord record) {
        TlsTransport.HandOffState state = tls.handOff();
        ByteBuffer decrypted = ByteBuffer.allocate(buffered.remaining() + state.decryptedUnread().remaining());
        decrypted.put(buffered.duplicate()).put(state.decryptedUnread()).flip();
        return new HandOff(app, tls.channel(), decrypted,
                Optional.of(new HandOff.Tls(state.engine(), state.encryptedUnread())), record);
    }
}
