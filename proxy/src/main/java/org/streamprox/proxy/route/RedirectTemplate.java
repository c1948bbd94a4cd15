package org.streamprox.proxy.route;

import java.util.Optional;
import org.streamprox.proxy.http.RequestHead;

/**
 * Where a redirect sends the client, as a {@link Template}: {@code {host}} is the host the request was for, without
 * port, and {@code {path}} its path and query as sent, so {@code https://{host}:8443{path}} moves a request to the
 * same page over TLS. Parsed once, when the configuration is loaded.
 */
public final class RedirectTemplate {

    private final Template location;

    /** @throws IllegalArgumentException for an unknown variable, an unclosed brace, or a CR, LF or space */
    public RedirectTemplate(String template) {
        if (template.isEmpty() || template.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("a redirect location must be non-empty, without spaces or control "
                    + "characters: '" + template + "'");
        }
        this.location = new Template(template);
    }

    /** The location for this head; empty when the template needs a host and the request named none. */
    public Optional<String> expand(RequestHead head, RequestOrigin origin) {
        if (location.uses(Template.Variable.HOST) && head.host().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(location.expand(variable -> origin.valueOf(variable, head)));
    }

    @Override
    public String toString() {
        return location.toString();
    }
}
