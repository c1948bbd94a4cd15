package org.streamprox.apps;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamprox.apps.host.LocalProxyExtension;
import org.streamprox.proxy.tls.CertificateSource;
import org.streamprox.proxy.tls.ClientHelloReader;
import org.streamprox.proxy.tls.ServerCertificates;
import org.streamprox.proxy.tls.TlsSettings;
import org.streamprox.proxy.transport.PlainTransport;
import org.streamprox.testkit.TestCertificates;

/**
 * The demo pages in a real browser (headless Chromium), loaded through the proxy port: in plain HTTP, and over TLS
 * the proxy terminates, where the pages open their WebSockets as {@code wss://}.
 */
class BrowserTest {

    private static final Path TARGET = Path.of("target");
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    final LocalProxyExtension proxy = new LocalProxyExtension();

    @TempDir
    Path directory;

    /** Starts the proxy in plain HTTP or terminating TLS, and Chromium on the page. */
    private HeadlessChromium chromium(String scheme, String path, String name) throws Exception {
        if (scheme.equals("http")) {
            AllBuiltInApps.start(proxy);
            return HeadlessChromium.open(proxy.url("http", path), TARGET.resolve(name + "-chromium.log"),
                    Optional.empty());
        }
        TestCertificates.Pem certificate = TestCertificates.selfSigned(directory, "127.0.0.1");
        TlsSettings tls = new TlsSettings(Optional.of(ServerCertificates.load(List.of(
                new CertificateSource.Pem(certificate.certificate(), certificate.key())))), false, true, false,
                TlsSettings.DEFAULT_MAX_HELLO_BYTES);
        AllBuiltInApps.start(proxy, settings -> settings.withTls(tls));
        return HeadlessChromium.open(proxy.url("https", path), TARGET.resolve(name + "-tls-chromium.log"),
                Optional.of(certificate.publicKeyPin()));
    }

    /**
     * Chromium's ClientHello carries a post-quantum key share (X25519MLKEM768), over 1.2 KB more than a classic
     * one: the hellos that broke other proxies. The engine's reader takes it whole.
     */
    @Test
    void chromiumsPostQuantumClientHelloIsReadWhole() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            try (HeadlessChromium browser = HeadlessChromium.open("https://localhost:" + port + "/",
                    TARGET.resolve("hello-chromium.log"), Optional.empty());
                 SocketChannel channel = server.accept()) {
                ClientHelloReader.Result read = new ClientHelloReader(16 * 1024).read(new PlainTransport(channel),
                        System.nanoTime() + PATIENCE.toNanos());
                assertEquals(Optional.of("localhost"), read.hello().serverName());
                assertTrue(read.hello().protocols().contains("http/1.1"), read.hello().protocols().toString());
                assertTrue(read.bytesRead() > 1500, "a hello of " + read.bytesRead() + " bytes");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "https"})
    void motionJpegPageShowsChangingFrames(String scheme) throws Exception {
        try (HeadlessChromium browser = chromium(scheme, "/demo", "mjpeg")) {
            Set<String> frames = new LinkedHashSet<>();
            Set<String> images = new LinkedHashSet<>();
            await("three different frames in the page").atMost(PATIENCE).until(() -> {
                // Null-safe: the first evaluations may run before the page has been parsed.
                String[] shown = browser.evaluate("(document.getElementById('timestamp')?.textContent ?? '') + ' '"
                        + " + ((src) => src.slice(0, 23) + src.length + ':' + src.slice(-40))"
                        + "(document.getElementById('image')?.src ?? '')").split(" ", 2);
                if (!shown[0].isEmpty()) {
                    frames.add(shown[0]);
                    images.add(shown[1]);
                }
                return frames.size() >= 3;
            });
            assertTrue(images.size() >= 2, "the image source never changed: " + images);
            assertTrue(images.stream().allMatch(source -> source.startsWith("data:image/jpeg;base64,")), images.toString());
            browser.screenshot(TARGET.resolve("mjpeg-demo-" + scheme + ".png"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "https"})
    void echoPageGetsItsMessageBack(String scheme) throws Exception {
        try (HeadlessChromium browser = chromium(scheme, "/echo", "echo")) {
            await("the echo in the page").atMost(PATIENCE)
                    .until(() -> browser.evaluate("document.getElementById('output')?.innerText ?? ''"),
                            text -> text.contains("RESPONSE: WebSocket rocks"));
            browser.screenshot(TARGET.resolve("echo-demo-" + scheme + ".png"));
        }
    }
}
