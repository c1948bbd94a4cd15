package org.streamprox.proxy.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.get;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.TestCertificates;

/** A named pool's TLS and PROXY header apply to each of its servers, for every route that names it. */
@Timeout(60)
class PoolSettingsTest {

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @TempDir
    Path directory;

    private final List<LoopbackServer> upstreams = new ArrayList<>();

    @AfterEach
    void closeUpstreams() throws Exception {
        for (LoopbackServer upstream : upstreams) {
            upstream.close();
        }
    }

    /** Answers with its name and the first line it read before the request (the PROXY header, if any). */
    private LoopbackServer upstream(String name, SSLContext tls, boolean proxyHeader) throws Exception {
        LoopbackServer.Handler handler = socket -> {
            InputStream in = socket.getInputStream();
            String header = proxyHeader ? Http.readHead(in).lines().findFirst().orElse("") : "";
            if (!proxyHeader) {
                Http.readHead(in);
            }
            String body = name + " " + header;
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        };
        LoopbackServer upstream = tls == null ? LoopbackServer.start(handler) : LoopbackServer.tls(tls, handler);
        upstreams.add(upstream);
        return upstream;
    }

    private String request(String path) throws Exception {
        try (Socket client = proxy.connect()) {
            String response = Http.exchange(client, get(path));
            assertEquals(200, Http.status(response), response);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    private void start(String yaml) throws Exception {
        proxy.start(new ConfigLoader(LocalApps.NONE.names()).load(yaml, "pool.yaml"));
    }

    @Test
    void everyServerOfATlsPoolIsReachedOverVerifiedTls() throws Exception {
        TestCertificates.Pem certificate = TestCertificates.selfSigned(directory, "upstream.test");
        start("""
                upstreams:
                  web:
                    servers: [127.0.0.1:%d, 127.0.0.1:%d]
                    tls: { ca: %s, sni: upstream.test }
                routes:
                  - { name: a, match: { path-prefix: /a }, remote: web }
                  - { name: b, remote: web }
                """.formatted(upstream("one", certificate.serverContext(), false).port(),
                upstream("two", certificate.serverContext(), false).port(), certificate.certificate()));

        Set<String> answered = new TreeSet<>();
        for (String path : List.of("/a", "/b", "/a", "/b")) {
            answered.add(request(path).trim());
        }

        assertEquals(Set.of("one", "two"), answered);
    }

    @Test
    void everyServerOfAPoolWithTheProxyProtocolGetsTheHeaderFirst() throws Exception {
        start("""
                upstreams:
                  web:
                    servers: [127.0.0.1:%d, 127.0.0.1:%d]
                    proxy-protocol: v1
                routes: [{ remote: web }]
                """.formatted(upstream("one", null, true).port(), upstream("two", null, true).port()));

        Set<String> servers = new TreeSet<>();
        for (int i = 0; i < 4; i++) {
            String answer = request("/");
            assertTrue(answer.matches("(one|two) PROXY TCP4 127\\.0\\.0\\.1 127\\.0\\.0\\.1 \\d+ \\d+"), answer);
            servers.add(answer.substring(0, 3));
        }
        assertEquals(Set.of("one", "two"), servers);
    }
}
