package org.streamprox.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.proxy.local.LocalApps;
import org.streamprox.testkit.AccessLogCapture;
import org.streamprox.testkit.Command;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackServer;

/**
 * Several listeners in one process, each with its own routes or the shared ones, and the engine's own redirect,
 * as a site sends its plain port to its TLS one.
 */
class ListenersTest {

    @RegisterExtension
    final AccessLogCapture accessLog = new AccessLogCapture();

    @Test
    void eachListenerServesItsRoutesAndThePlainOneRedirects() throws Exception {
        try (LoopbackServer upstream = LoopbackServer.start(socket -> {
            Http.readHead(socket.getInputStream());
            socket.getOutputStream().write(Http.ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nup"));
        })) {
            StreamProx proxy = StreamProx.start(new ConfigLoader(new LinkedHashSet<>()).load("""
                    listeners:
                      - listen: 127.0.0.1:0
                        routes:
                          - name: to-tls
                            redirect: { status: 301, location: 'https://{host}:8443{path}' }
                      - listen: 127.0.0.1:0
                    routes:
                      - { name: site, remote: 127.0.0.1:%d }
                    """.formatted(upstream.port()), "listeners.yaml"), LocalApps.NONE);
            try {
                List<InetSocketAddress> addresses = proxy.localAddresses();
                assertEquals(2, addresses.size());

                Command redirect = Command.run("curl", "-sS", "--max-time", "20", "-o", "/dev/null", "-w",
                        "%{http_code} %{redirect_url}", "-H", "Host: Site.Example:8080",
                        "http://127.0.0.1:" + addresses.get(0).getPort() + "/a/b?c=d");
                assertEquals("301 https://site.example:8443/a/b?c=d", redirect.output());
                String served = exchange(addresses.get(1), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertTrue(served.endsWith("up"), served);
            } finally {
                proxy.stop();
            }
            // Sorted by connection number: the redirected one lingers after its answer, so it may end second.
            List<String> lines = accessLog.lines().stream().sorted().toList();
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("#1 ") && lines.get(0).contains(" to-tls redirect 301 status=301 ")
                    && lines.get(0).endsWith(" redirected to https://site.example:8443/a/b?c=d"), lines.get(0));
            assertTrue(lines.get(1).startsWith("#2 ") && lines.get(1).contains(" site remote "),
                    "connection numbers are the process's: " + lines.get(1));
        }
    }

    private static String exchange(InetSocketAddress address, String request) throws Exception {
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            client.setSoTimeout(30_000);
            return Http.exchange(client, request);
        }
    }
}
