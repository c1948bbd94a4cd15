package org.streamprox.proxy.proxyprotocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.testkit.FreePorts;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.LoopbackClient;
import org.streamprox.testkit.LoopbackServer;
import org.streamprox.testkit.Nginx;
import org.streamprox.testkit.ProxyExtension;
import org.streamprox.testkit.TestCertificates;

/**
 * A real nginx behind StreamProx, reading the PROXY header each route sends (v1 and v2): for an HTTP route, a
 * passthrough TLS route and an SSH route, nginx logs the test client's own address and port (bound to 127.0.0.7),
 * and where it connected to (StreamProx's listener), and the bytes go both ways.
 */
class NginxBehindStreamProxTest {

    private static final String CLIENT = "127.0.0.7";
    private static final String SERVER_NAME = "nginx.example.test";
    /** Where the client was, and where it connected to, as nginx read them from the header. */
    private static final String LOGGED_ADDRESSES =
            "$proxy_protocol_addr:$proxy_protocol_port to $proxy_protocol_server_addr:$proxy_protocol_server_port";

    @TempDir
    static Path directory;

    private static Nginx nginx;
    private static TestCertificates.Pem certificate;
    /** The SSH server behind nginx's stream proxy, and the banners it received. */
    private static LoopbackServer sshServer;
    private static final BlockingQueue<String> sshBannersReceived = new LinkedBlockingQueue<>();
    private static int httpPort;
    private static int httpsPort;
    private static int streamPort;

    @RegisterExtension
    final ProxyExtension proxy = new ProxyExtension();

    @BeforeAll
    static void startNginx() throws Exception {
        certificate = TestCertificates.selfSigned(directory, SERVER_NAME);
        sshServer = LoopbackServer.start(NginxBehindStreamProxTest::answerSsh);
        int[] ports = FreePorts.onLoopback(3);
        httpPort = ports[0];
        httpsPort = ports[1];
        streamPort = ports[2];
        nginx = Nginx.start(directory, """
                log_format proxied '%1$s "$request" $status';
                server {
                    listen 127.0.0.1:%2$d proxy_protocol;
                    access_log http.log proxied;
                    location / {
                        return 200 "nginx over http\\n";
                    }
                }
                server {
                    listen 127.0.0.1:%3$d ssl proxy_protocol;
                    ssl_certificate %4$s;
                    ssl_certificate_key %5$s;
                    access_log https.log proxied;
                    location / {
                        return 200 "nginx over tls\\n";
                    }
                }
                """.formatted(LOGGED_ADDRESSES, httpPort, httpsPort, certificate.certificate(), certificate.key()),
                """
                log_format proxied '%1$s $status';
                server {
                    listen 127.0.0.1:%2$d proxy_protocol;
                    access_log stream.log proxied;
                    proxy_pass 127.0.0.1:%3$d;
                }
                """.formatted(LOGGED_ADDRESSES, streamPort, sshServer.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (sshServer != null) {
            sshServer.close();
        }
    }

    /** Reads the client's banner line, answers with its own, and waits for the client to hang up. */
    private static void answerSsh(Socket socket) throws Exception {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream banner = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            banner.write(b);
            if (b == '\n') {
                break;
            }
        }
        sshBannersReceived.add(banner.toString(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().write(ascii("SSH-2.0-behind-nginx\r\n"));
        in.transferTo(OutputStream.nullOutputStream());
    }

    @BeforeEach
    void forgetEarlierBanners() {
        sshBannersReceived.clear();
    }

    private int startStreamProx(String routes) throws Exception {
        return proxy.start(new ConfigLoader(new LinkedHashSet<>()).load("routes:\n" + routes, "nginx-behind.yaml"))
                .localAddress().getPort();
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void nginxBehindAnHttpRouteLogsTheClientAndAnswers(String version) throws Exception {
        int streamProx = startStreamProx("""
                  - { name: web, remote: 127.0.0.1:%d, proxy-protocol: %s }
                """.formatted(httpPort, version));
        String client;
        try (Socket socket = LoopbackClient.connect(CLIENT, new InetSocketAddress("127.0.0.1", streamProx))) {
            client = LoopbackClient.self(socket);
            String response = Http.exchange(socket, "GET /" + version + " HTTP/1.1\r\nHost: test\r\n"
                    + "Connection: close\r\n\r\n");

            assertEquals(200, Http.status(response), response);
            assertTrue(response.endsWith("\r\n\r\nnginx over http\n"), response);
        }
        assertEquals(client + " to 127.0.0.1:" + streamProx + " \"GET /" + version + " HTTP/1.1\" 200",
                nginx.awaitLogLine("http.log", client + " "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void nginxBehindAPassthroughRouteLogsTheClientAndAnswersOverTheClientsTls(String version) throws Exception {
        int streamProx = startStreamProx("""
                  - { name: tls, match: { sni: %s }, passthrough: 127.0.0.1:%d, proxy-protocol: %s }
                """.formatted(SERVER_NAME, httpsPort, version));
        String client;
        try (SSLSocket socket = LoopbackClient.connectTls(certificate.clientContext(), CLIENT,
                new InetSocketAddress("127.0.0.1", streamProx), SERVER_NAME)) {
            client = LoopbackClient.self(socket);
            String response = Http.exchange(socket, "GET /" + version + " HTTP/1.1\r\nHost: " + SERVER_NAME
                    + "\r\nConnection: close\r\n\r\n");

            assertEquals(200, Http.status(response), response);
            assertTrue(response.endsWith("\r\n\r\nnginx over tls\n"), response);
        }
        assertEquals(client + " to 127.0.0.1:" + streamProx + " \"GET /" + version + " HTTP/1.1\" 200",
                nginx.awaitLogLine("https.log", client + " "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void nginxBehindAnSshRouteLogsTheClientAndTheBannersPassByteForByte(String version) throws Exception {
        int streamProx = startStreamProx("""
                  - { name: ssh, match: { protocol: ssh }, remote: 127.0.0.1:%d, proxy-protocol: %s }
                """.formatted(streamPort, version));
        String client;
        String banner = "SSH-2.0-test-" + version + "\r\n";
        try (Socket socket = LoopbackClient.connect(CLIENT, new InetSocketAddress("127.0.0.1", streamProx))) {
            client = LoopbackClient.self(socket);
            socket.getOutputStream().write(ascii(banner));

            String answer = "SSH-2.0-behind-nginx\r\n";
            assertEquals(answer, new String(socket.getInputStream().readNBytes(answer.length()),
                    StandardCharsets.ISO_8859_1));
            assertEquals(banner, sshBannersReceived.poll(20, TimeUnit.SECONDS));
        }
        assertEquals(client + " to 127.0.0.1:" + streamProx + " 200", nginx.awaitLogLine("stream.log", client + " "));
    }
}
