package org.streamprox.apps;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.streamprox.apps.host.JettyLocalApps;
import org.streamprox.apps.host.LocalProxyExtension;
import org.streamprox.proxy.config.ProxySettings;
import org.streamprox.proxy.server.StreamProx;

/**
 * Every built-in app behind one proxy, at the paths the demo pages expect: the motion-JPEG page and stream at
 * {@code /demo} and {@code /websocketdemo}, and the echo WebSocket at {@code /}, where the echo page connects.
 */
final class AllBuiltInApps {

    static final Map<String, String> ROUTES = new LinkedHashMap<>();

    static {
        ROUTES.put("/foo", BuiltInApps.FOO);
        ROUTES.put("/bar", BuiltInApps.BAR);
        ROUTES.put("/demo", BuiltInApps.MJPEG);
        ROUTES.put("/websocketdemo", BuiltInApps.MJPEG);
        ROUTES.put("/echo", BuiltInApps.ECHO_PAGE);
        ROUTES.put("/index", BuiltInApps.INDEX);
        ROUTES.put("/", BuiltInApps.WS_ECHO);
    }

    private AllBuiltInApps() {
    }

    static StreamProx start(LocalProxyExtension proxy) throws Exception {
        return start(proxy, UnaryOperator.identity());
    }

    /** With the proxy's settings changed, for example to terminate TLS. */
    static StreamProx start(LocalProxyExtension proxy, UnaryOperator<ProxySettings> settings) throws Exception {
        JettyLocalApps apps = new JettyLocalApps();
        BuiltInApps.registerAll(apps, BuiltInApps.Options.defaults());
        return proxy.start(apps, ROUTES, settings);
    }
}
