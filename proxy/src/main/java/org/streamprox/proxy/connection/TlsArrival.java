package org.streamprox.proxy.connection;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.ConnectionSummary.TlsHandshake;
import org.streamprox.proxy.observe.ConnectionSummary.TlsSummary;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.tls.ClientHello;
import org.streamprox.proxy.tls.ClientHelloReader;
import org.streamprox.proxy.tls.Negotiated;
import org.streamprox.proxy.tls.ServerCertificates;
import org.streamprox.proxy.tls.TlsAlert;
import org.streamprox.proxy.tls.TlsRefusal;
import org.streamprox.proxy.tls.TlsSettings;
import org.streamprox.proxy.tls.TlsTransport;
import org.streamprox.proxy.transport.Transport;

/**
 * The TLS stage, on a listener that takes TLS: a connection whose first bytes are a TLS handshake record has its
 * ClientHello read, and is then passed through as it is, refused with an alert, or terminated here. Everything
 * before the head shares the head's deadline, so a client stalling mid-handshake is let go in the same time as one
 * stalling mid-head.
 */
final class TlsArrival {

    /** What the stage decided. */
    sealed interface Decision {

        /** Forwarded unread to the route's upstream, ClientHello first. */
        record PassThrough(Route route, ClientHelloReader.Result hello) implements Decision {
        }

        /** Terminated here: the head is read from the decrypted bytes. */
        record Terminated(TlsTransport client, ClientHello hello) implements Decision {
        }
    }

    private TlsArrival() {
    }

    /**
     * Reads the ClientHello and passes it through or terminates it; a connection not passed through counts as a TLS
     * handshake of the engine's, done or failed.
     */
    static Decision decide(ListenerContext context, Transport client, ConnectionRecord record, long deadline)
            throws IOException, TlsRefusal {
        try {
            return arrive(context, client, record, deadline);
        } catch (IOException | TlsRefusal e) {
            record.tlsHandshake(TlsHandshake.FAILED);
            throw e;
        }
    }

    private static Decision arrive(ListenerContext context, Transport client, ConnectionRecord record, long deadline)
            throws IOException, TlsRefusal {
        TlsSettings settings = context.settings().tls();
        ClientHelloReader.Result read = new ClientHelloReader(settings.maxHelloBytes()).read(client, deadline);
        ClientHello hello = read.hello();
        Optional<Route> passThrough = context.router().passThrough(hello);
        if (passThrough.isPresent()) {
            record.countBytes(read.bytesRead(), 0);
            record.tls(new TlsSummary("passthrough", hello.serverName().orElse(null),
                    String.join(",", hello.protocols())));
            return new Decision.PassThrough(passThrough.get(), read);
        }
        record.tls(new TlsSummary("-", hello.serverName().orElse(null), null));
        ServerCertificates certificates = settings.certificates().orElseThrow(() -> new TlsRefusal(
                hello.serverName().isPresent() ? TlsAlert.UNRECOGNIZED_NAME : TlsAlert.HANDSHAKE_FAILURE,
                "no passthrough route" + hello.serverName().map(name -> " for " + name).orElse("")
                        + ", and no certificate to terminate with").afterReading(read.bytesRead()));
        if (settings.strictSni() && hello.serverName().filter(name -> !certificates.hasCertificateFor(name))
                .isPresent()) {
            throw new TlsRefusal(TlsAlert.UNRECOGNIZED_NAME, "no certificate for " + hello.serverName().get()
                    + " (strict-sni)").afterReading(read.bytesRead());
        }
        client.replay(read.buffered());
        TlsTransport tls = TlsTransport.over(client, certificates.newEngine());
        Negotiated negotiated;
        try {
            negotiated = tls.handshake(deadline);
        } catch (SocketTimeoutException e) {
            throw TlsRefusal.tooLate("TLS handshake not complete within "
                    + context.settings().head().timeout().toMillis() + " ms").afterReading(read.bytesRead());
        } catch (SSLException e) {
            // The transport has sent the engine's own alert.
            throw TlsRefusal.handshakeFailed(e.getMessage()).afterReading(read.bytesRead());
        }
        record.tlsHandshake(TlsHandshake.DONE);
        // TLSv1.3 as tls1.3, lower case like the rest of the line.
        record.tls(new TlsSummary(negotiated.protocol().toLowerCase(Locale.ROOT).replace("v", ""),
                hello.serverName().orElse(null), negotiated.applicationProtocol().orElse(null)));
        return new Decision.Terminated(tls, hello);
    }
}
