package org.streamprox.proxy.pool;

import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.streamprox.proxy.config.ConfigLoader;
import org.streamprox.testkit.Http;
import org.streamprox.testkit.ProxyExtension;

/**
 * A real StreamProx started from YAML whose one route goes to the pool {@code web}, as an operator configures it,
 * so that the pool is started (its checks running) as on the command line; and requests through it.
 */
final class WebPool {

    /** Read until the upstream closes: nginx keeps a connection open unless asked not to. */
    private static final String REQUEST = "GET / HTTP/1.1\r\nHost: test.local\r\nConnection: close\r\n\r\n";

    private final ProxyExtension proxy;
    private final Pool pool;

    private WebPool(ProxyExtension proxy, Pool pool) {
        this.proxy = proxy;
        this.pool = pool;
    }

    /** @param keys the pool's keys, one a line: {@code servers: [...]}, {@code health-check: {...}} */
    static WebPool start(ProxyExtension proxy, String... keys) throws Exception {
        String yaml = "listen: 127.0.0.1:0\nupstreams:\n  web:\n    " + String.join("\n    ", keys)
                + "\nroutes:\n  - { name: site, remote: web }\n";
        proxy.startAsConfigured(new ConfigLoader(Set.of()).load(yaml, "test"));
        return attach(proxy);
    }

    /** The pool {@code web} the running proxy has now: a reload makes it anew. */
    static WebPool attach(ProxyExtension proxy) {
        return new WebPool(proxy, proxy.server().pools().stream().filter(pool -> pool.name().equals("web"))
                .findFirst().orElseThrow());
    }

    Pool pool() {
        return pool;
    }

    ServerState state(NamedUpstream upstream) {
        return pool.members().stream().filter(member -> member.name().equals(upstream.address())).findFirst()
                .orElseThrow().state();
    }

    /** One request on a new connection: the name of the upstream that answered, or the status when none did. */
    String answer() throws Exception {
        try (Socket client = proxy.connect()) {
            String response = Http.exchange(client, REQUEST);
            int status = Http.status(response);
            return status == 200 ? response.substring(response.indexOf("\r\n\r\n") + 4) : "status " + status;
        }
    }

    /** How many of so many requests each upstream answered, by name (or status). */
    Map<String, Integer> answers(int requests) throws Exception {
        Map<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < requests; i++) {
            answers.merge(answer(), 1, Integer::sum);
        }
        return answers;
    }
}
