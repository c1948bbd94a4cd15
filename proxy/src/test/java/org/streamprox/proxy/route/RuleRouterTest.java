package org.streamprox.proxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streamprox.testkit.Http.ascii;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.streamprox.proxy.http.HeadException;
import org.streamprox.proxy.http.HeadParser;
import org.streamprox.proxy.tls.ClientHello;
import org.streamprox.proxy.http.RequestHead;

class RuleRouterTest {

    private static RequestHead head(String method, String target, String... headers) throws HeadException {
        StringBuilder text = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        for (String header : headers) {
            text.append(header).append("\r\n");
        }
        return HeadParser.parse(ascii(text.append("\r\n").toString()), true);
    }

    private static RequestHead get(String path) throws HeadException {
        return head("GET", path, "Host: www.example.org:8080");
    }

    @Test
    void pathPrefixMatchesAnyPathStartingWithIt() throws Exception {
        RequestMatcher google = RequestMatcher.pathPrefix("/google");
        assertTrue(google.matches(get("/google")));
        assertTrue(google.matches(get("/google/blech?q=1")));
        assertTrue(google.matches(get("/googles")));
        assertFalse(google.matches(get("/goo")));
        assertFalse(google.matches(get("/bar/google")));
    }

    @Test
    void exactPathIgnoresTheQuery() throws Exception {
        RequestMatcher root = RequestMatcher.path("/");
        assertTrue(root.matches(get("/?x=1")));
        assertFalse(root.matches(get("/demo")));
    }

    @Test
    void pathRegexMustMatchTheWholePath() throws Exception {
        RequestMatcher images = RequestMatcher.pathRegex(Pattern.compile("/img/[0-9]+\\.jpg"));
        assertTrue(images.matches(get("/img/12.jpg")));
        assertFalse(images.matches(get("/img/12.jpg.bak")));
    }

    @Test
    void hostMatchesExactlyOrByWildcardIgnoringPortAndCase() throws Exception {
        RequestMatcher exact = RequestMatcher.host("WWW.example.org");
        RequestMatcher wildcard = RequestMatcher.host("*.example.org");
        assertTrue(exact.matches(get("/")));
        assertTrue(wildcard.matches(get("/")));
        assertTrue(wildcard.matches(head("GET", "/", "Host: a.b.example.org")));
        assertFalse(wildcard.matches(head("GET", "/", "Host: example.org")));
        assertFalse(exact.matches(head("GET", "/", "Host: example.org")));
        assertTrue(exact.matches(head("GET", "http://www.example.org/x", "Host: www.example.org")));
    }

    @Test
    void methodAndHeaderMatch() throws Exception {
        RequestHead upgrade = head("GET", "/chat", "Host: a", "Upgrade: websocket", "Connection: Upgrade");
        assertTrue(RequestMatcher.method("GET").matches(upgrade));
        assertFalse(RequestMatcher.method("POST").matches(upgrade));
        assertTrue(RequestMatcher.header("upgrade", Pattern.compile("(?i)^websocket$")).matches(upgrade));
        assertFalse(RequestMatcher.header("Upgrade", Pattern.compile("h2c")).matches(upgrade));
        assertFalse(RequestMatcher.header("X-Missing", Pattern.compile(".*")).matches(upgrade));
    }

    @Test
    void allConditionsOfARuleMustHold() throws Exception {
        RequestMatcher both = RequestMatcher.all(List.of(RequestMatcher.method("POST"),
                RequestMatcher.pathPrefix("/api")));
        assertTrue(both.matches(head("POST", "/api/x", "Host: a")));
        assertFalse(both.matches(head("GET", "/api/x", "Host: a")));
        assertTrue(RequestMatcher.all(List.of()).matches(get("/anything")));
    }

    @Test
    void theFirstMatchingRuleWinsAndNoMatchIsEmpty() throws Exception {
        Route specific = Route.to("specific", new Target.Local("foo"));
        Route general = Route.to("general", new Target.Remote("127.0.0.1", 9));
        RuleRouter router = new RuleRouter(List.of(
                new RuleRouter.Rule(RequestMatcher.pathPrefix("/foo"), specific),
                new RuleRouter.Rule(RequestMatcher.pathPrefix("/"), general)));
        RuleRouter narrow = new RuleRouter(List.of(new RuleRouter.Rule(RequestMatcher.path("/only"), specific)));

        assertEquals(Optional.of(specific), router.route(get("/foo/x"), Optional.empty()));
        assertEquals(Optional.of(general), router.route(get("/bar"), Optional.empty()));
        assertEquals(Optional.empty(), narrow.route(get("/other"), Optional.empty()));
    }

    @Test
    void arrivalConditionsReadTheClientHello() {
        ClientHello named = new ClientHello(Optional.of("www.example.org"), List.of("h2", "http/1.1"), false);
        ClientHello encrypted = new ClientHello(Optional.of("www.example.org"), List.of(), true);
        ClientHello nameless = new ClientHello(Optional.empty(), List.of(), false);

        assertTrue(ArrivalMatcher.serverName("*.example.org").matches(Optional.of(named)));
        assertFalse(ArrivalMatcher.serverName("*.example.org").matches(Optional.of(encrypted)),
                "an ECH hello's outer name is the provider's, not the site's");
        assertFalse(ArrivalMatcher.serverName("www.example.org").matches(Optional.of(nameless)));
        assertFalse(ArrivalMatcher.serverName("www.example.org").matches(Optional.empty()));
        assertTrue(ArrivalMatcher.protocol("h2").matches(Optional.of(named)));
        assertFalse(ArrivalMatcher.protocol("h2").matches(Optional.of(nameless)));
        assertTrue(ArrivalMatcher.tls(false).matches(Optional.empty()));
        assertFalse(ArrivalMatcher.tls(false).matches(Optional.of(named)));
    }

    @Test
    void aTlsConnectionIsDecidedAtTheFirstRuleItsHelloMeets() throws Exception {
        Route pass = new Route("pass", new Target.PassThrough(new Target.Remote("127.0.0.1", 9443)),
                HeadRewrite.NONE, Optional.empty());
        Route site = Route.to("site", new Target.Local("foo"));
        RuleRouter.Rule mailRule = new RuleRouter.Rule(ArrivalMatcher.serverName("mail.example.org"),
                RequestMatcher.all(List.of()), pass);
        RuleRouter passFirst = new RuleRouter(List.of(mailRule,
                new RuleRouter.Rule(RequestMatcher.all(List.of()), site)));
        RuleRouter siteFirst = new RuleRouter(List.of(new RuleRouter.Rule(RequestMatcher.pathPrefix("/"), site),
                mailRule));
        ClientHello mail = new ClientHello(Optional.of("mail.example.org"), List.of(), false);

        assertEquals(Optional.of(pass), passFirst.passThrough(mail));
        assertEquals(Optional.empty(), siteFirst.passThrough(mail), "the site's rule comes first: terminate");
        assertEquals(Optional.of(site), passFirst.route(get("/x"), Optional.of(mail)),
                "a decrypted head never goes to a passthrough route");
    }
}
