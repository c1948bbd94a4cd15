package org.streamprox.proxy.connection;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.http.HeadException;
import org.streamprox.proxy.http.HeadReader;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.observe.Refusal;
import org.streamprox.proxy.proxyprotocol.ProxyHeaderRefusal;
import org.streamprox.proxy.tls.ClientHello;
import org.streamprox.proxy.tls.TlsRefusal;
import org.streamprox.proxy.transport.Transport;

/**
 * One accepted connection, served on its own virtual thread, in stages: its first bytes (a trusted proxy's PROXY
 * header, the protocol they speak, or silence); for TLS, the TLS stage (pass through, refuse, or terminate); read
 * the head; check admission; route; carry out the plan. Each stage reports to the connection's record; the plan ends
 * the connection.
 */
public final class ClientConnection implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    private final ListenerContext context;
    private final ConnectionRecord record;
    /** The client as the engine reads it: the socket, then its TLS once terminated. */
    private volatile Transport client;

    public ClientConnection(ListenerContext context, Transport client, ConnectionRecord record) {
        this.context = context;
        this.client = client;
        this.record = record;
        record.onAbort(why -> this.client.close());
    }

    @Override
    public void run() {
        try {
            Plan plan = plan();
            plan.carryOut(client, record);
        } catch (RuntimeException | Error e) {
            LOG.error("#{} unexpected failure", record.id(), e);
            Plan.end(client, record, Outcome.internalError(e));
            if (e instanceof Error error) {
                throw error;
            }
        }
    }

    /**
     * The stages before the plan: first bytes, TLS, the head, admission, routing. A refusal at any of them is a plan
     * too. They all share the head's deadline.
     */
    private Plan plan() {
        long deadline = System.nanoTime() + context.settings().head().timeout().toNanos();
        Optional<ClientHello> hello = Optional.empty();
        HeadReader.Result read;
        try {
            switch (context.firstBytes().classify(client, record, deadline)) {
                case FirstBytes.Verdict.Http http -> {
                }
                case FirstBytes.Verdict.Tunnel tunnel -> {
                    return admitted(false, () -> Routing.tunnel(context, tunnel.route(), record));
                }
                case FirstBytes.Verdict.Refused refused -> {
                    return record.headStageOver() ? refused.plan() : placeGivenUp(false);
                }
                case FirstBytes.Verdict.Tls tls -> {
                    switch (TlsArrival.decide(context, client, record, deadline)) {
                        case TlsArrival.Decision.PassThrough passThrough -> {
                            return admitted(false, () -> Routing.passThrough(context, passThrough.route(),
                                    passThrough.hello().buffered(), record));
                        }
                        case TlsArrival.Decision.Terminated terminated -> {
                            client = terminated.client();
                            hello = Optional.of(terminated.hello());
                        }
                    }
                }
            }
            read = context.heads().read(client, deadline);
        } catch (ProxyHeaderRefusal e) {
            record.countBytes(e.bytesRead(), 0);
            return record.headStageOver() ? new Close(Outcome.closed(Refusal.PROXY_HEADER, e.getMessage()))
                    : placeGivenUp(false);
        } catch (TlsRefusal e) {
            record.countBytes(e.bytesRead(), 0);
            if (!record.headStageOver()) {
                return placeGivenUp(false);
            }
            return e.answerable() ? new Alert(e.alert(), e.getMessage())
                    : new Close(Outcome.closed(e.refusal(), e.getMessage()));
        } catch (HeadException e) {
            record.countBytes(e.bytesRead(), 0);
            if (!record.headStageOver()) {
                return placeGivenUp(e.bytesRead() > 0);
            }
            return e.answerable() ? new Answer(e.status(), e.refusal(), e.getMessage())
                    : new Close(Outcome.closed(e.refusal(), e.getMessage()));
        } catch (IOException e) {
            return record.headStageOver() ? new Close(Outcome.failed(e)) : placeGivenUp(false);
        }
        record.firstRequest(read.head().method(), read.head().path(), read.bytesRead());
        if (hello.isEmpty() && context.settings().tls().required()) {
            // nginx's answer: a browser shows it, where a close would leave the user guessing.
            return admitted(true, () -> new Answer(400, Refusal.TLS_REQUIRED, "plain HTTP request sent to HTTPS port"));
        }
        Optional<ClientHello> arrival = hello;
        return admitted(true, () -> Routing.plan(context, read, arrival, record, client.localAddress()));
    }

    /**
     * The head stage is over: the connection keeps its place and stays within its address's limit, and is routed;
     * or it is refused, with an HTTP answer when it speaks HTTP to the engine.
     */
    private Plan admitted(boolean speaksHttp, Supplier<Plan> routing) {
        if (!record.headStageOver()) {
            return placeGivenUp(speaksHttp);
        }
        if (record.overClientLimit()) {
            String reason = "more than " + context.settings().connections().maxConnectionsPerClient()
                    + " connections from this address";
            return speaksHttp ? new Answer(429, Refusal.CLIENT_LIMIT, reason)
                    : new Close(Outcome.closed(Refusal.CLIENT_LIMIT, reason));
        }
        return routing.get();
    }

    /** The listener was full and gave this connection's place to a newer one before its head was complete. */
    private static Plan placeGivenUp(boolean answerable) {
        String reason = "listener full: its place went to a new connection while its head was still coming";
        return answerable ? new Answer(408, Refusal.LISTENER_FULL, reason)
                : new Close(Outcome.closed(Refusal.LISTENER_FULL, reason));
    }
}
