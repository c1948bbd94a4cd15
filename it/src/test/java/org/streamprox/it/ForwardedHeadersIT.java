package org.streamprox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.streamprox.testkit.HttpResponse;

/**
 * The forwarded headers as nginx receives them behind the StreamProx container: a client's spoofed values replaced
 * by the address StreamProx saw, a trusted proxy's kept and added to, RFC 7239's form, and the upstream asked to
 * close after each answer. Clients use their own loopback addresses (127.0.0.7 and 127.0.0.8) so that the address
 * nginx is told is visibly the client's.
 */
class ForwardedHeadersIT {

    private static Deployment site;

    @BeforeAll
    static void start() throws Exception {
        site = Deployment.start(port -> Images.nginx(port, """
                  location / {
                    default_type text/plain;
                    return 200 "xff=$http_x_forwarded_for proto=$http_x_forwarded_proto host=$http_x_forwarded_host port=$http_x_forwarded_port forwarded=$http_forwarded connection=$http_connection\\n";
                  }
                """), nginxPort -> """
                trusted-proxies: [127.0.0.8/32]
                routes:
                  - { name: rfc, match: { path-prefix: /rfc }, remote: 127.0.0.1:%d, forwarded-headers: forwarded }
                  - { name: xf, match: { path-prefix: / }, remote: 127.0.0.1:%d, forwarded-headers: x-forwarded }
                """.formatted(nginxPort, nginxPort));
    }

    @AfterAll
    static void stop() {
        site.close();
    }

    @Test
    void aClientsSpoofedValuesAreReplacedByItsAddress() throws Exception {
        assertEquals("xff=127.0.0.7 proto=http host=site.test port=" + site.port + " forwarded= connection=close\n",
                get(7, "/", "X-Forwarded-For: 127.0.0.66", "X-Forwarded-Proto: https", "Forwarded: for=127.0.0.66"));
    }

    @Test
    void aTrustedProxysListIsAddedTo() throws Exception {
        assertEquals("xff=127.0.0.66, 127.0.0.8 proto=https host=site.test port=" + site.port
                        + " forwarded=for=127.0.0.66 connection=close\n",
                get(8, "/", "X-Forwarded-For: 127.0.0.66", "X-Forwarded-Proto: https", "Forwarded: for=127.0.0.66"));
    }

    @Test
    void rfc7239SaysForProtoHostAndBy() throws Exception {
        assertEquals("xff= proto= host= port= forwarded=for=127.0.0.7;proto=http;host=site.test;by=127.0.0.1 "
                + "connection=close\n", get(7, "/rfc", "X-Forwarded-For: 127.0.0.66"));
    }

    /** One request from 127.0.0.{@code client}, with these extra fields; the body nginx answered. */
    private static String get(int client, String path, String... fields) throws Exception {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) client}), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", site.port), 10_000);
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: site.test\r\n");
            for (String field : fields) {
                request.append(field).append("\r\n");
            }
            socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            return HttpResponse.read(socket.getInputStream()).text();
        }
    }
}
