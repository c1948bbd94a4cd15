package org.streamprox.proxy.route;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A configured value with variables in braces, filled in for each connection: {@code https://{host}{path}} for a
 * redirect, {@code {client-address}} for a header. Parsed once, when the configuration loads, so an unknown name
 * stops loading rather than reaching a client.
 */
public final class Template {

    /** What a template can say. */
    public enum Variable {
        /** The host the request was for (absolute-form target, else {@code Host}), without port. */
        HOST,
        /** The request's path and query as sent. */
        PATH,
        /** The client's IP address: the peer's, or the one a trusted proxy's PROXY header named. */
        CLIENT_ADDRESS,
        CLIENT_PORT,
        /** The address the client connected to: the listener's, or the one a PROXY header named. */
        LISTENER_ADDRESS,
        LISTENER_PORT,
        /** {@code on} when the client came over TLS, else {@code off}. */
        TLS,
        /** The server name the client's ClientHello asked for, empty when none. */
        SNI,
        /** The name of the route. */
        ROUTE;

        /** As written in a template: {@code client-address}. */
        public String written() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** A literal piece or a variable. */
    private sealed interface Part {
    }

    private record Literal(String text) implements Part {
    }

    private record Slot(Variable variable) implements Part {
    }

    private final String text;
    private final List<Part> parts;

    /** @throws IllegalArgumentException for an unknown variable or an unclosed brace */
    public Template(String text) {
        this.text = text;
        this.parts = parse(text);
    }

    /** Whether the template says this variable. */
    public boolean uses(Variable variable) {
        return parts.contains(new Slot(variable));
    }

    /** Whether the template has no variable at all. */
    public boolean isLiteral() {
        return parts.stream().allMatch(part -> part instanceof Literal);
    }

    /** The template with each variable's value, as {@code values} gives it. */
    public String expand(Function<Variable, String> values) {
        StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            switch (part) {
                case Literal literal -> out.append(literal.text());
                case Slot slot -> out.append(values.apply(slot.variable()));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return text;
    }

    private static List<Part> parse(String text) {
        List<Part> parts = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int open = text.indexOf('{', at);
            if (open < 0) {
                parts.add(new Literal(text.substring(at)));
                break;
            }
            if (open > at) {
                parts.add(new Literal(text.substring(at, open)));
            }
            int close = text.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '{' in '" + text + "'");
            }
            parts.add(new Slot(variable(text.substring(open + 1, close))));
            at = close + 1;
        }
        return List.copyOf(parts);
    }

    private static Variable variable(String name) {
        return Arrays.stream(Variable.values()).filter(variable -> variable.written().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown variable '{" + name + "}'; there are "
                        + Arrays.stream(Variable.values()).map(variable -> "{" + variable.written() + "}")
                                .collect(Collectors.joining(", "))));
    }
}
