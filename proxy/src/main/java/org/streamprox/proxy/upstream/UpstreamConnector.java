package org.streamprox.proxy.upstream;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Refusal;
import org.streamprox.proxy.pool.Member;
import org.streamprox.proxy.pool.Pool;
import org.streamprox.proxy.pool.Tries;
import org.streamprox.proxy.route.Target;
import org.streamprox.proxy.tls.TlsTransport;
import org.streamprox.proxy.transport.PlainTransport;
import org.streamprox.proxy.transport.Transport;

/** Opens the connection to a remote target, turning each way it can fail into the status the client gets. */
public final class UpstreamConnector {

    /**
     * The upstream could not be reached, or its TLS failed; {@link #status()} is {@code 502} or {@code 504}.
     */
    public static final class ConnectFailure extends Exception {

        private final int status;

        ConnectFailure(int status, String reason, Throwable cause) {
            super(reason, cause, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }

        /** Why the client is refused, as the metrics count it. */
        public Refusal refusal() {
            return status == 504 ? Refusal.UPSTREAM_TIMEOUT : Refusal.UPSTREAM_UNREACHABLE;
        }
    }

    /** A connected upstream, and the pool's member it is, counted open until {@link #release()}. */
    public record Upstream(Transport transport, Pool pool, Member member) {

        /** The connection to it is over: the member's count goes down. */
        public void release() {
            pool.released(member);
        }
    }

    private UpstreamConnector() {
    }

    /**
     * The connected upstream, in blocking mode; over TLS, with its handshake done and its certificate checked.
     *
     * <p>The pool's policy chooses the first server; while a server cannot be connected to (refused, unreachable,
     * or silent for the connect timeout), nothing has been sent to it, so the policy's next choice is tried, each
     * server once, as many as the pool's {@code tries}, each within the connect timeout and all within the connect
     * budget. Once connected, a failure (the PROXY header, TLS) ends the connection: bytes went out.
     *
     * @param proxyHeader what the upstream gets first, before any TLS: the PROXY header naming the client, or empty
     * @param record      told which server was reached, when the pool has several
     * @throws ConnectFailure the last server's failure when none could be connected to
     */
    public static Upstream connect(Target.Remote remote, byte[] proxyHeader, ConnectionRecord record)
            throws ConnectFailure {
        Pool pool = remote.pool();
        Tries tries = pool.tries(record.client().getAddress());
        long timeout = remote.connectTimeout().toNanos();
        long budgetEnds = System.nanoTime() + pool.spec().retries().budget().map(Duration::toNanos)
                .orElse(Long.MAX_VALUE / 4);
        ConnectFailure failure = null;
        int tried = 0;
        for (Member member = tries.next(); member != null; member = tries.next()) {
            long now = System.nanoTime();
            long left = budgetEnds - now;
            if (left <= 0) {
                break;
            }
            long deadline = now + Math.min(timeout, left);
            tried++;
            Transport plain;
            try {
                plain = connectTcp(member, deadline - now);
            } catch (ConnectFailure e) {
                pool.connectFailed(member, e.getMessage());
                failure = e;
                continue;
            }
            pool.connected(member);
            if (tries.members() > 1) {
                record.reached(remote.describe(member));
            }
            try {
                return new Upstream(speak(remote, member, plain, proxyHeader, deadline), pool, member);
            } catch (ConnectFailure e) {
                pool.released(member);
                throw e;
            }
        }
        throw none(pool, tries, tried, failure);
    }

    /** Why no server was connected to: none to try, the one that failed, or the last of several. */
    private static ConnectFailure none(Pool pool, Tries tries, int tried, ConnectFailure last) {
        if (tried == 0) {
            String why = tries.members() == 0 ? "upstream host " + String.join(", ", tries.unresolved())
                    + " cannot be resolved"
                    : "none of its " + tries.members() + " servers is available";
            return new ConnectFailure(502, "pool " + pool.name() + ": " + why, null);
        }
        if (last == null) {
            return new ConnectFailure(504, "pool " + pool.name() + ": connect budget spent after " + tried
                    + " tries", null);
        }
        if (tried == 1 && tries.members() == 1) {
            return last;
        }
        return new ConnectFailure(last.status(), "none of the " + tried + " servers tried could be connected to; "
                + "the last: " + last.getMessage(), last);
    }

    /** Sends the PROXY header, then, for a TLS route, runs the handshake by {@code deadline}. */
    private static Transport speak(Target.Remote remote, Member server, Transport plain, byte[] proxyHeader,
                                   long deadline) throws ConnectFailure {
        try {
            plain.write(ByteBuffer.wrap(proxyHeader));
        } catch (IOException e) {
            plain.close();
            throw new ConnectFailure(502, "upstream " + server + " closed before the PROXY header was sent: "
                    + e.getMessage(), e);
        }
        if (remote.tls().isEmpty()) {
            return plain;
        }
        TlsTransport tls = TlsTransport.over(plain, remote.tls().get().newEngine(server.server().host(), server.server().port()));
        try {
            tls.handshake(deadline);
            return tls;
        } catch (SocketTimeoutException e) {
            plain.close();
            throw new ConnectFailure(504, "upstream " + server + " did not finish its TLS handshake within "
                    + remote.connectTimeout().toMillis() + " ms", e);
        } catch (IOException e) {
            plain.close();
            throw new ConnectFailure(502, "upstream " + server + ": " + e.getMessage(), e);
        }
    }

    private static Transport connectTcp(Member server, long timeoutNanos) throws ConnectFailure {
        int millis = Math.toIntExact(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
        try {
            return PlainTransport.connect(server.address(), millis);
        } catch (SocketTimeoutException e) {
            throw new ConnectFailure(504, "upstream " + server + " did not accept within " + millis + " ms", e);
        } catch (IOException e) {
            throw new ConnectFailure(502, "upstream " + server + " refused or unreachable: " + e.getMessage(), e);
        }
    }
}
