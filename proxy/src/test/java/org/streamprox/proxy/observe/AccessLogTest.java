package org.streamprox.proxy.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/** The access log's line and the same fields as key-value pairs; addresses as an operator would write them. */
class AccessLogTest {

    /** What the access log does not write. */
    private static final ConnectionSummary.Stages NO_STAGES =
            new ConnectionSummary.Stages(null, ConnectionSummary.TlsHandshake.NONE, null, null);

    private final Logger accessLogger = (Logger) LoggerFactory.getLogger("streamprox.access");
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    @BeforeEach
    void capture() {
        events.start();
        accessLogger.addAppender(events);
    }

    @AfterEach
    void stopCapturing() {
        accessLogger.detachAppender(events);
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, 8080, 127.0.0.1:8080",
        "0.0.0.0, 8080, 0.0.0.0:8080",
        "::1, 80, [::1]:80",
        "::, 8080, [::]:8080",
        "2001:db8:0:0:1:0:0:1, 443, [2001:db8::1:0:0:1]:443",
        "2001:db8:1:2:3:4:5:6, 1, [2001:db8:1:2:3:4:5:6]:1",
        "fe80:0:0:0:0:0:0:0, 9, [fe80::]:9",
        "fe80:0:0:0:0:0:0:1%1, 9, [fe80::1%1]:9",
    })
    void addressesAreWrittenInTheirShortForm(String host, int port, String written) throws Exception {
        assertEquals(written, AccessLog.address(new InetSocketAddress(InetAddress.getByName(host), port)));
    }

    @Test
    void everyFieldOfAFullLineIsAlsoAPairWithNumbersAsNumbers() throws Exception {
        new AccessLog().finished(new ConnectionSummary(12, address("192.0.2.7", 5555), address("127.0.0.1", 40110),
                null, "GET", "/api/x", "api", "remote 127.0.0.1:9000",
                new ConnectionSummary.TlsSummary("tls1.3", "localhost", "http/1.1"), 200, 91, 169,
                Duration.ofMillis(30), Outcome.OK, NO_STAGES));

        ILoggingEvent event = onlyEvent();
        assertEquals("#12 192.0.2.7:5555 via=127.0.0.1:40110 GET /api/x api remote 127.0.0.1:9000 tls=tls1.3 "
                + "sni=localhost alpn=http/1.1 status=200 in=91 out=169 30ms ok", event.getFormattedMessage());
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("id", 12L);
        expected.put("client", "192.0.2.7");
        expected.put("client_port", 5555);
        expected.put("via", "127.0.0.1");
        expected.put("via_port", 40110);
        expected.put("method", "GET");
        expected.put("path", "/api/x");
        expected.put("route", "api");
        expected.put("target", "remote 127.0.0.1:9000");
        expected.put("tls", "tls1.3");
        expected.put("sni", "localhost");
        expected.put("alpn", "http/1.1");
        expected.put("status", 200);
        expected.put("bytes_in", 91L);
        expected.put("bytes_out", 169L);
        expected.put("duration_ms", 30L);
        expected.put("outcome", "ok");
        expected.put("outcome_detail", "ok");
        assertPairs(expected, event);
    }

    @Test
    void whatTheTextShowsAsADashHasNoPair() throws Exception {
        new AccessLog().finished(new ConnectionSummary(3, address("::1", 4000), null, "ssh", null, null, "ssh",
                "remote 127.0.0.1:22", new ConnectionSummary.TlsSummary("passthrough", null, ""), 0, 3, 4,
                Duration.ofMillis(2), Outcome.CLIENT_RESET, NO_STAGES));

        ILoggingEvent event = onlyEvent();
        assertEquals("#3 [::1]:4000 - - ssh remote 127.0.0.1:22 protocol=ssh tls=passthrough sni=- alpn=- status=- "
                + "in=3 out=4 2ms client reset the connection", event.getFormattedMessage());
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("id", 3L);
        expected.put("client", "::1");
        expected.put("client_port", 4000);
        expected.put("route", "ssh");
        expected.put("target", "remote 127.0.0.1:22");
        expected.put("protocol", "ssh");
        expected.put("tls", "passthrough");
        expected.put("bytes_in", 3L);
        expected.put("bytes_out", 4L);
        expected.put("duration_ms", 2L);
        expected.put("outcome", "client-reset");
        expected.put("outcome_detail", "client reset the connection");
        assertPairs(expected, event);
    }

    private static InetSocketAddress address(String host, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    private ILoggingEvent onlyEvent() {
        assertEquals(1, events.list.size(), events.list::toString);
        return events.list.get(0);
    }

    /** The event has these pairs, of these types, in this order (the text line's), each once. */
    private static void assertPairs(Map<String, Object> expected, ILoggingEvent event) {
        Map<String, Object> pairs = new LinkedHashMap<>();
        event.getKeyValuePairs().forEach(pair -> assertEquals(null, pairs.put(pair.key, pair.value), pair.key));
        assertEquals(expected, pairs);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(pairs.keySet()));
    }
}
