package org.streamprox.proxy.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.proxy.http.RequestTarget;

/**
 * Where a redirect sends the client, as a template: {@code {host}} is the host the request was for, without port,
 * and {@code {path}} its path and query as sent, so {@code https://{host}:8443{path}} moves a request to the same
 * page over TLS. Parsed once, when the configuration is loaded.
 */
public final class RedirectTemplate {

    /** A literal piece or a variable of the template. */
    private sealed interface Part {
    }

    private record Literal(String text) implements Part {
    }

    private enum Variable implements Part {
        HOST,
        PATH
    }

    private final String template;
    private final List<Part> parts;

    /** @throws IllegalArgumentException for an unknown variable, an unclosed brace, or a CR, LF or space */
    public RedirectTemplate(String template) {
        this.template = template;
        this.parts = parse(template);
    }

    /** The location for this head; empty when the template needs a host and the request named none. */
    public Optional<String> expand(RequestHead head) {
        StringBuilder location = new StringBuilder();
        for (Part part : parts) {
            switch (part) {
                case Literal literal -> location.append(literal.text());
                case Variable variable when variable == Variable.HOST -> {
                    Optional<String> host = head.host();
                    if (host.isEmpty()) {
                        return Optional.empty();
                    }
                    location.append(host.get());
                }
                case Variable variable -> location.append(pathAndQuery(head.target()));
            }
        }
        return Optional.of(location.toString());
    }

    @Override
    public String toString() {
        return template;
    }

    /** The origin-form part of a target: what follows the authority of an absolute form, {@code /} when nothing. */
    private static String pathAndQuery(String target) {
        int start = RequestTarget.pathStart(target);
        if (start < 0 || start == target.length()) {
            return "/";
        }
        String rest = target.substring(start);
        return rest.startsWith("/") ? rest : "/" + rest;
    }

    private static List<Part> parse(String template) {
        if (template.isEmpty() || template.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("a redirect location must be non-empty, without spaces or control "
                    + "characters: '" + template + "'");
        }
        List<Part> parts = new ArrayList<>();
        int at = 0;
        while (at < template.length()) {
            int open = template.indexOf('{', at);
            if (open < 0) {
                parts.add(new Literal(template.substring(at)));
                break;
            }
            if (open > at) {
                parts.add(new Literal(template.substring(at, open)));
            }
            int close = template.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '{' in redirect location '" + template + "'");
            }
            parts.add(switch (template.substring(open + 1, close)) {
                case "host" -> Variable.HOST;
                case "path" -> Variable.PATH;
                default -> throw new IllegalArgumentException("unknown variable '" + template.substring(open, close + 1)
                        + "' in redirect location; there are {host} and {path}");
            });
            at = close + 1;
        }
        return List.copyOf(parts);
    }
}
