package org.streamprox.apps.admin;

import java.util.function.Supplier;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.reload.ReloadResult;

/**
 * {@code POST /reload}: runs the reload action and answers with its status and
 * {@code {"result": "ok" | "failed", "message": ..., "at": ...}}: 200 when the new configuration is in force, 400 when
 * it was refused and the old one stays.
 */
final class ReloadEndpoint implements Request.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadEndpoint.class);

    /** The answer's body. */
    record Answer(String result, String message, String at) {
    }

    private final Supplier<ReloadResult> action;

    ReloadEndpoint(Supplier<ReloadResult> action) {
        this.action = action;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        LOG.info("reload asked for by {}", Request.getRemoteAddr(request));
        ReloadResult result = action.get();
        Reply.json(response, callback, result.ok() ? 200 : 400,
                new Answer(result.ok() ? "ok" : "failed", result.message(), result.at().toString()));
        return true;
    }
}
