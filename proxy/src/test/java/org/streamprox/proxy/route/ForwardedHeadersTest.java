package org.streamprox.proxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.streamprox.proxy.http.HeadParser;
import org.streamprox.testkit.Origins;

/**
 * The forwarded headers a route adds, and the variables a rewritten value may say: what an untrusted client sent in
 * them never reaches the upstream; a trusted proxy's list is added to.
 */
class ForwardedHeadersTest {

    private static final String SPOOFING = "GET /a HTTP/1.1\r\nHost: site.test:8080\r\nX-Forwarded-For: 127.0.0.66\r\n"
            + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.test\r\nForwarded: for=127.0.0.66\r\n"
            + "Connection: keep-alive\r\n\r\n";

    private static final HeadRewrite X_FORWARDED = HeadRewrite.NONE.withForwarded(Set.of(ForwardedHeaders.X_FORWARDED));
    private static final HeadRewrite RFC_7239 = HeadRewrite.NONE.withForwarded(Set.of(ForwardedHeaders.FORWARDED));

    private static String apply(HeadRewrite rewrite, String head, RequestOrigin origin) throws Exception {
        String rewritten = new String(rewrite.apply(HeadParser.parse(ascii(head), true), origin),
                StandardCharsets.ISO_8859_1);
        HeadParser.parse(ascii(rewritten), true);
        return rewritten;
    }

    @Test
    void anUntrustedClientsValuesAreReplacedByWhatTheProxySaw() throws Exception {
        assertEquals("GET /a HTTP/1.1\r\nHost: site.test:8080\r\nConnection: close\r\n"
                + "X-Forwarded-For: 127.0.0.7\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: site.test:8080\r\n"
                + "X-Forwarded-Port: 8080\r\n\r\n", apply(X_FORWARDED, SPOOFING, Origins.PLAIN));
    }

    @Test
    void aTrustedProxysListIsAddedToAndItsOtherValuesKept() throws Exception {
        RequestOrigin trusted = new RequestOrigin(Origins.address(2, 50000), Origins.address(1, 443), true,
                Optional.of("site.test"), "web", true);
        String rewritten = apply(X_FORWARDED, SPOOFING, trusted);
        assertTrue(rewritten.contains("\r\nX-Forwarded-For: 127.0.0.66, 127.0.0.2\r\n"), rewritten);
        assertTrue(rewritten.contains("\r\nX-Forwarded-Proto: https\r\n"), rewritten);
        assertTrue(rewritten.contains("\r\nX-Forwarded-Host: evil.test\r\n"), rewritten);
        assertTrue(rewritten.contains("\r\nX-Forwarded-Port: 443\r\n"), rewritten);
        assertTrue(rewritten.contains("\r\nForwarded: for=127.0.0.66\r\n"), rewritten);
    }

    @Test
    void rfc7239QuotesWhatIsNotATokenAndBracketsIpv6() throws Exception {
        RequestOrigin ipv6 = new RequestOrigin(new InetSocketAddress(InetAddress.getByName("::1"), 40000),
                Origins.address(1, 443), true, Optional.empty(), "web", false);
        String rewritten = apply(RFC_7239, SPOOFING, ipv6);
        assertTrue(rewritten.contains("\r\nForwarded: for=\"[::1]\";proto=https;host=\"site.test:8080\";by=127.0.0.1\r\n"),
                rewritten);
        assertTrue(!rewritten.contains("127.0.0.66") && !rewritten.contains("X-Forwarded"), rewritten);
    }

    @Test
    void anUpgradeKeepsItsConnectionHeader() throws Exception {
        String upgrade = "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
        assertTrue(apply(X_FORWARDED, upgrade, Origins.PLAIN).contains("\r\nConnection: Upgrade\r\n"));
    }

    @Test
    void variablesSayWhereTheRequestCameFrom() throws Exception {
        HeadRewrite rewrite = new HeadRewrite(Map.of("X-Client", "{client-address}:{client-port}",
                "X-Arrival", "{route} tls={tls} sni={sni} {listener-address}:{listener-port} {host}{path}"),
                Map.of(), List.of(), Optional.empty());
        String rewritten = apply(rewrite, "GET /p?q=1 HTTP/1.1\r\nHost: site.test:8080\r\n\r\n", Origins.PLAIN);
        assertTrue(rewritten.contains("\r\nX-Client: 127.0.0.7:40007\r\n"), rewritten);
        assertTrue(rewritten.contains("\r\nX-Arrival: test tls=off sni= 127.0.0.1:8080 site.test/p?q=1\r\n"),
                rewritten);
    }

    @Test
    void unknownVariablesAndVariablesInHostAreRefusedWhenLoaded() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> new HeadRewrite(
                Map.of("X-Client", "{client-ip}"), Map.of(), List.of(), Optional.empty()));
        assertTrue(unknown.getMessage().contains("{client-address}"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HeadRewrite(Map.of("Host", "{sni}"), Map.of(),
                List.of(), Optional.empty()));
    }
}
