package org.streamprox.proxy.pool;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.streamprox.proxy.proxyprotocol.ProxyProtocolVersion;
import org.streamprox.proxy.tls.TlsTransport;
import org.streamprox.proxy.tls.UpstreamTls;
import org.streamprox.proxy.transport.PlainTransport;
import org.streamprox.proxy.transport.Transport;

/**
 * One active check of one member, all of it within the check's timeout. A TCP check connects and closes, sending
 * nothing. An HTTP check speaks as the pool's connections do: the PROXY header first when the pool sends one (one
 * that names no client: v1's {@code UNKNOWN}, v2's LOCAL, as HAProxy's {@code check-send-proxy}), TLS when the pool
 * speaks it, its certificate checked alike; then {@code GET PATH HTTP/1.1}, and the status line's status must be one
 * the check expects. The rest of the response is not read.
 */
final class HealthProbe {

    /** What one check found; {@code detail} is what it saw (a status) or why it failed, for the log. */
    record Verdict(boolean passed, String detail) {
    }

    /** Any status line a server sends fits; bytes that do not end a line by then are not one. */
    private static final int MAX_STATUS_LINE_BYTES = 1024;
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[0-9] ([1-5][0-9][0-9])(?: .*)?");
    /** How much of what is not a status line the log shows. */
    private static final int SHOWN_BYTES = 40;

    private final HealthCheck check;
    private final Optional<UpstreamTls> tls;
    private final byte[] proxyHeader;

    HealthProbe(HealthCheck check, Optional<UpstreamTls> tls, Optional<ProxyProtocolVersion> proxyProtocol) {
        this.check = check;
        this.tls = tls;
        this.proxyHeader = proxyProtocol.map(ProxyProtocolVersion::headerWithoutClient).orElse(new byte[0]);
    }

    /** Checks the member now, on the caller's thread; an interrupt ends the check and closes its connection. */
    Verdict check(Member member) {
        long deadline = System.nanoTime() + check.timeout().toNanos();
        Transport connection = null;
        try {
            connection = PlainTransport.connect(member.address(), millisUntil(deadline));
            if (check.kind() == HealthCheck.Kind.TCP) {
                return new Verdict(true, "connected");
            }
            connection.write(ByteBuffer.wrap(proxyHeader));
            if (tls.isPresent()) {
                TlsTransport secured = TlsTransport.over(connection,
                        tls.get().newEngine(member.server().host(), member.server().port()));
                connection = secured;
                secured.handshake(deadline);
            }
            connection.write(ByteBuffer.wrap(request(member)));
            return verdictOn(statusLine(connection, deadline));
        } catch (SocketTimeoutException e) {
            return new Verdict(false, "no answer within " + check.timeout().toMillis() + " ms");
        } catch (IOException e) {
            return new Verdict(false, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }

    private byte[] request(Member member) {
        String host = check.host().orElse(member.server().toString());
        return ("GET " + check.path() + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: StreamProx-check\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The response's first line, without its line end. */
    private static String statusLine(Transport connection, long deadline) throws IOException {
        ByteBuffer read = ByteBuffer.allocate(MAX_STATUS_LINE_BYTES);
        int scanned = 0;
        while (read.hasRemaining()) {
            if (connection.readBefore(read, deadline) < 0) {
                throw new EOFException("closed before its status line");
            }
            for (; scanned < read.position(); scanned++) {
                if (read.get(scanned) == '\n') {
                    int end = scanned > 0 && read.get(scanned - 1) == '\r' ? scanned - 1 : scanned;
                    return new String(read.array(), 0, end, StandardCharsets.ISO_8859_1);
                }
            }
        }
        throw new IOException("no status line in its first " + MAX_STATUS_LINE_BYTES + " bytes");
    }

    private Verdict verdictOn(String statusLine) {
        Matcher matcher = STATUS_LINE.matcher(statusLine);
        if (!matcher.matches()) {
            return new Verdict(false, "not an HTTP status line: '" + shown(statusLine) + "'");
        }
        int status = Integer.parseInt(matcher.group(1));
        return check.expect().contains(status)
                ? new Verdict(true, "status " + status)
                : new Verdict(false, "status " + status + ", not " + check.expect());
    }

    /** The start of what the server sent, printable, so that it cannot forge a log line. */
    private static String shown(String text) {
        StringBuilder shown = new StringBuilder();
        text.chars().limit(SHOWN_BYTES).forEach(c -> shown.append(c >= ' ' && c <= '~' ? (char) c : '?'));
        return text.length() > SHOWN_BYTES ? shown + "..." : shown.toString();
    }

    private static int millisUntil(long deadline) throws SocketTimeoutException {
        long millis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (millis <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return Math.toIntExact(Math.min(millis, Integer.MAX_VALUE));
    }
}
