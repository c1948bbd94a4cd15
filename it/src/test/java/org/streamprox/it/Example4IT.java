package org.streamprox.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamprox.testkit.HttpResponse;

/**
 * The original example4 as an operator deploys it: the packaged jar in its container serving {@code /foo}
 * (Basic auth) and {@code /bar} in-process and forwarding {@code /google...} to an nginx container standing
 * in for the remote site.
 */
class Example4IT {

    private static Deployment site;

    @BeforeAll
    static void start() throws Exception {
        site = Deployment.start(port -> Images.nginx(port, """
                  keepalive_requests 10000;
                  location / {
                    default_type text/plain;
                    return 200 "nginx host=$host uri=$request_uri\\n";
                  }
                """), nginxPort -> """
                routes:
                  - { name: foo, match: { path-prefix: /foo }, local: foo }
                  - { name: bar, match: { path-prefix: /bar }, local: bar }
                  - name: google
                    match: { path-prefix: /google }
                    remote: 127.0.0.1:%d
                    rewrite: { set-headers: { Host: www.google.com } }
                """.formatted(nginxPort));
    }

    @AfterAll
    static void stop() {
        site.close();
    }

    private static Socket connect() throws Exception {
        Socket socket = new Socket("127.0.0.1", site.port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static HttpResponse request(Socket socket, String path, String... headers) throws Exception {
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost:" + site.port + "\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        return HttpResponse.read(socket.getInputStream());
    }

    private static HttpResponse get(String path, String... headers) throws Exception {
        try (Socket socket = connect()) {
            return request(socket, path, headers);
        }
    }

    @Test
    void fooAsksForCredentialsThenServesTom() throws Exception {
        HttpResponse challenge = get("/foo");
        assertEquals(401, challenge.status());
        assertTrue(challenge.hasHeader("WWW-Authenticate: Basic realm=\"StreamProx\""), challenge.head());

        String tom = Base64.getEncoder().encodeToString("tom:tom".getBytes(StandardCharsets.US_ASCII));
        HttpResponse served = get("/foo", "Authorization: Basic " + tom);
        assertEquals(200, served.status());
        assertEquals("FOO!", served.text().strip());

        String wrong = Base64.getEncoder().encodeToString("tom:jerry".getBytes(StandardCharsets.US_ASCII));
        assertEquals(401, get("/foo", "Authorization: Basic " + wrong).status());
    }

    @Test
    void barIsOpen() throws Exception {
        HttpResponse bar = get("/bar");
        assertEquals(200, bar.status());
        assertEquals("BAR!", bar.text().strip());
    }

    @Test
    void googleGoesToTheRemoteSiteWithItsHostName() throws Exception {
        HttpResponse google = get("/google/blech");
        assertEquals(200, google.status());
        assertEquals("nginx host=www.google.com uri=/google/blech", google.text().strip());
    }

    @Test
    void aKeepAliveConnectionStaysWithTheSiteOfItsFirstRequest() throws Exception {
        try (Socket socket = connect()) {
            assertTrue(request(socket, "/google/first").text().startsWith("nginx "));
            HttpResponse second = request(socket, "/bar");
            // Routing is per connection: nginx, not the local bar app, answers the second request.
            assertEquals("nginx host=localhost uri=/bar", second.text().strip());
        }
        assertEquals("BAR!", get("/bar").text().strip());
    }

    @Test
    void theContainerLogsOneAccessLineForEachConnection() throws Exception {
        int connections = 5;
        for (int i = 0; i < connections; i++) {
            try (Socket socket = connect()) {
                request(socket, "/google/log-" + i);
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                assertEquals(-1, in.read());
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            long lines = site.streamprox.getLogs().lines()
                    .filter(line -> line.matches(".*access #\\d+ 127\\.0\\.0\\.1:\\d+ GET /google/log-\\d .*"))
                    .count();
            assertEquals(connections, lines, site.streamprox.getLogs());
        });
    }
}
