package org.streamprox.proxy.hostile;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Target;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;

/**
 * Request smuggling starts where two parsers frame one message differently. A first request whose body framing
 * is ambiguous (RFC 9112 sections 6.1 to 6.3) is answered {@code 400} and never reaches the upstream, whatever
 * servers sit behind it; an unambiguous one goes through byte for byte.
 */
class AmbiguousFramingTest {

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    private LoopbackServer upstream;

    @BeforeEach
    void start() throws Exception {
        // Answers every request with 204 once it has read the head, so a forwarded request shows at the client too.
        upstream = LoopbackServer.start(socket -> {
            InputStream in = socket.getInputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            socket.getOutputStream().write(Http.ascii("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"));
        });
        proxy.start(ProxyExtension.everythingTo(Route.to("up", new Target.Remote("127.0.0.1", upstream.port()))));
    }

    @AfterEach
    void stop() throws Exception {
        upstream.close();
    }

    private String send(String headLines) throws Exception {
        try (Socket client = proxy.connect()) {
            return Http.exchange(client, headLines.replace("\\r\\n", "\r\n").replace("\\t", "\t") + "\r\n\r\n5\r\nhello");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "both lengths                | POST /a HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked | both Transfer-Encoding and Content-Length",
        "two different lengths       | POST /a HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\nContent-Length: 6 | more than one Content-Length",
        "two equal lengths           | POST /a HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\nContent-Length: 5 | more than one Content-Length",
        "a list of lengths           | POST /a HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5, 5                   | Content-Length '5, 5' is not",
        "signed length               | POST /a HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: +5                     | Content-Length '+5' is not",
        "negative length             | POST /a HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: -1                     | Content-Length '-1' is not",
        "overflowing length          | POST /a HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 99999999999999999999   | is not",
        "chunked on HTTP/1.0         | POST /a HTTP/1.0\\r\\nTransfer-Encoding: chunked                         | Transfer-Encoding in an HTTP/1.0 request",
        "xchunked                    | POST /a HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: xchunked            | Transfer-Encoding 'xchunked'",
        "tab before the coding       | POST /a HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding:\\tchunked           | tab around the value of Transfer-Encoding",
        "tab after the coding        | POST /a HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\t          | tab around the value of Transfer-Encoding",
        "tab around a length         | POST /a HTTP/1.1\\r\\nHost: a\\r\\nContent-Length:\\t5                    | tab around the value of Content-Length",
        "identity then chunked       | POST /a HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: identity, chunked  | Transfer-Encoding 'identity, chunked'",
        "upper-case CHUNKED          | POST /a HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: CHUNKED            | Transfer-Encoding 'CHUNKED'",
        "two coding lines            | POST /a HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked | more than one Transfer-Encoding",
        "chunked not last            | POST /a HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, gzip       | Transfer-Encoding 'chunked, gzip'",
    })
    void isAnswered400AndNeverForwarded(String name, String head, String reason) throws Exception {
        String response = send(head);

        assertEquals(400, Http.status(response), response);
        assertTrue(response.contains(reason.strip()), response);
        await().atMost(Duration.ofSeconds(5)).until(() -> accessLog.lines().stream()
                .anyMatch(line -> line.contains(" 400 ") && line.contains(reason.strip())));
        assertEquals(0, upstream.acceptedConnections(), "the upstream was reached");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "one length       | POST /a HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5",
        "chunked          | POST /a HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked",
        "gzip and chunked | POST /a HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked",
        "a length on 1.0  | POST /a HTTP/1.0\\r\\nContent-Length: 5",
        "no body          | GET /a HTTP/1.1\\r\\nHost: a",
    })
    void unambiguousFramingIsForwarded(String name, String head) throws Exception {
        assertEquals(204, Http.status(send(head)));
        assertEquals(1, upstream.acceptedConnections());
    }
}
