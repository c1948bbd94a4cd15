package org.streamprox.apps.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /metrics}: every meter in Prometheus's text format, or in OpenMetrics when the scraper asks for it
 * (Prometheus itself does, in its {@code Accept} header). Never the protobuf format, which would be one more for
 * nothing: both text formats carry every meter.
 */
final class MetricsEndpoint implements Request.Handler {

    static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPEN_METRICS_FORMAT = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String OPEN_METRICS = "application/openmetrics-text";

    private final PrometheusMeterRegistry registry;

    MetricsEndpoint(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        String format = accept != null && accept.contains(OPEN_METRICS) ? OPEN_METRICS_FORMAT : TEXT_FORMAT;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        // The registry picks its writer by this content type.
        registry.scrape(body, format);
        Reply.send(response, callback, 200, format, body.toByteArray());
        return true;
    }
}
