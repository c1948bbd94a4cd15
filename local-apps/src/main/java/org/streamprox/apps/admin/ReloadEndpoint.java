package org.streamprox.apps.admin;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /reload}: runs the reload action and answers with its status and
 * {@code {"result": "ok" | "failed" | "not-available", "message": ...}}.
 */
final class ReloadEndpoint implements Request.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadEndpoint.class);

    /** The answer's body. */
    record Answer(String result, String message) {
    }

    private final ReloadAction action;

    ReloadEndpoint(ReloadAction action) {
        this.action = action;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        LOG.info("reload asked for by {}", Request.getRemoteAddr(request));
        ReloadResult result = action.reload();
        Reply.json(response, callback, result.kind().status(), new Answer(result.kind().text(), result.message()));
        return true;
    }
}
