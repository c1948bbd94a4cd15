package org.streamprox.proxy.route;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.streamprox.proxy.http.Authority;
import org.streamprox.proxy.http.HeadParser;
import org.streamprox.proxy.http.HeaderFields;
import org.streamprox.proxy.http.RequestHead;
import org.streamprox.proxy.http.RequestTarget;

/**
 * Changes a route makes to the head before forwarding it. With nothing to change the head's own bytes are sent
 * unchanged; otherwise the head is written anew, keeping the order and spelling of the fields it leaves alone.
 *
 * @param setHeaders     fields to give this value, replacing every existing one of the name or adding it; a value
 *                       may say where the request came from with {@link Template} variables
 * @param replaceHeaders fields to give this value only where the client sent them; variables as above
 * @param removeHeaders  names of fields to drop
 * @param pathPrefix     a path prefix to replace; {@code to} may be empty to strip it
 * @param forwarded      the forwarded headers to add; with any, the upstream is asked to close after its answer
 *                       ({@code Connection: close}, upgrades aside), so that the client's next request comes on
 *                       a new connection and gets its own
 */
public record HeadRewrite(Map<String, String> setHeaders, Map<String, String> replaceHeaders,
                          List<String> removeHeaders, Optional<PrefixRewrite> pathPrefix,
                          Set<ForwardedHeaders> forwarded) {

    /**
     * Replaces {@code from} at the start of the path with {@code to}, where {@code from} ends at a segment boundary:
     * {@code /api} is the prefix of {@code /api} and {@code /api/x}, not of {@code /apis}, which the client did not
     * mean as {@code /s}.
     */
    public record PrefixRewrite(String from, String to) {

        /** Whether the path starts with {@code from} and the prefix ends where a path segment ends. */
        public boolean appliesTo(String path) {
            return path.startsWith(from) && (path.length() == from.length() || from.endsWith("/")
                    || path.charAt(from.length()) == '/');
        }
    }

    public static final HeadRewrite NONE = new HeadRewrite(Map.of(), Map.of(), List.of(), Optional.empty());

    public HeadRewrite {
        setHeaders = Map.copyOf(new LinkedHashMap<>(setHeaders));
        replaceHeaders = Map.copyOf(replaceHeaders);
        removeHeaders = List.copyOf(removeHeaders);
        forwarded = Set.copyOf(forwarded);
        for (var entry : setHeaders.entrySet()) {
            checkField(entry.getKey(), entry.getValue());
        }
        for (var entry : replaceHeaders.entrySet()) {
            checkField(entry.getKey(), entry.getValue());
        }
        for (String name : removeHeaders) {
            checkField(name, "");
        }
        pathPrefix.ifPresent(prefix -> checkPath(prefix.to()));
    }

    /** Without forwarded headers. */
    public HeadRewrite(Map<String, String> setHeaders, Map<String, String> replaceHeaders, List<String> removeHeaders,
                       Optional<PrefixRewrite> pathPrefix) {
        this(setHeaders, replaceHeaders, removeHeaders, pathPrefix, Set.of());
    }

    /** The same rewrite, adding these forwarded headers. */
    public HeadRewrite withForwarded(Set<ForwardedHeaders> kinds) {
        return new HeadRewrite(setHeaders, replaceHeaders, removeHeaders, pathPrefix, kinds);
    }

    public boolean changesHeaders() {
        return !setHeaders.isEmpty() || !replaceHeaders.isEmpty() || !removeHeaders.isEmpty() || !forwarded.isEmpty();
    }

    /**
     * The head as it is to be sent upstream. A rewritten head always carries an origin-form target, with an
     * absolute-form target's authority moved into {@code Host}, so that a {@code Host} rewrite is the host the
     * upstream obeys (RFC 9112 section 3.2.2 lets the target's authority override {@code Host}).
     */
    public byte[] apply(RequestHead head, RequestOrigin origin) {
        if (!changesHeaders() && pathPrefix.isEmpty()) {
            return head.raw();
        }
        boolean withHeaders = head.hasHeaderBlock();
        StringBuilder out = new StringBuilder(head.raw().length + 64);
        out.append(head.method()).append(' ').append(rewriteTarget(head.target(), withHeaders)).append(' ')
                .append(head.version()).append("\r\n");
        if (withHeaders) {
            Map<String, String> set = expanded(setHeaders, head, origin);
            Set<String> removed = lowerCase(removeHeaders);
            if (!forwarded.isEmpty()) {
                if (!origin.trustedClient()) {
                    removed.addAll(ForwardedHeaders.FIELDS);
                }
                forwarded.forEach(kind -> kind.addTo(set, head, origin));
                if (head.headers().first("Upgrade").isEmpty()) {
                    set.put("Connection", "close");
                }
            }
            appendHeaders(headersWithAuthority(head), set, expanded(replaceHeaders, head, origin), removed, out);
            out.append("\r\n");
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The values with their variables filled in, by name in order. What a client chose (its host, its server name)
     * cannot split the head: control characters become {@code ?}.
     */
    private static Map<String, String> expanded(Map<String, String> values, RequestHead head, RequestOrigin origin) {
        Map<String, String> expanded = new LinkedHashMap<>();
        values.forEach((name, value) -> expanded.put(name, value.indexOf('{') < 0 ? value
                : harmless(new Template(value).expand(variable -> origin.valueOf(variable, head)))));
        return expanded;
    }

    private static String harmless(String value) {
        StringBuilder out = new StringBuilder(value.length());
        value.chars().forEach(c -> out.append((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff ? '?' : (char) c));
        return out.toString();
    }

    /** Variables are checked when the configuration loads; {@code Host} takes none, being checked as a host then. */
    private static void checkTemplate(String name, String value) {
        Template template = new Template(value);
        if (name.equalsIgnoreCase("Host") && !template.isLiteral()) {
            throw new IllegalArgumentException("Host cannot use variables: it is checked as a host and port when "
                    + "the configuration loads");
        }
    }

    /** The client's fields, plus {@code Host} from an absolute-form target that came without one (HTTP/1.0). */
    private static List<HeaderFields.Field> headersWithAuthority(RequestHead head) {
        List<HeaderFields.Field> fields = new ArrayList<>(head.headers().asList());
        String authority = RequestTarget.authority(head.target());
        if (authority != null && head.headers().first("Host").isEmpty()) {
            fields.add(new HeaderFields.Field("Host", authority));
        }
        return fields;
    }

    private static void appendHeaders(List<HeaderFields.Field> fields, Map<String, String> setHeaders,
                                      Map<String, String> replaceHeaders, Set<String> removed, StringBuilder out) {
        Map<String, String> newValues = new LinkedHashMap<>();
        replaceHeaders.forEach((name, value) -> newValues.put(name.toLowerCase(Locale.ROOT), value));
        setHeaders.forEach((name, value) -> newValues.put(name.toLowerCase(Locale.ROOT), value));
        Set<String> written = new HashSet<>();
        for (HeaderFields.Field field : fields) {
            String key = field.name().toLowerCase(Locale.ROOT);
            if (removed.contains(key)) {
                continue;
            }
            String value = newValues.get(key);
            if (value == null) {
                appendField(out, field.name(), field.value());
            } else if (written.add(key)) {
                appendField(out, field.name(), value);
            }
        }
        setHeaders.forEach((name, value) -> {
            if (!written.contains(name.toLowerCase(Locale.ROOT))) {
                appendField(out, name, value);
            }
        });
    }

    /**
     * The target with its path prefix rewritten; origin-form when {@code originForm}, else keeping an
     * absolute-form target's scheme and authority. Asterisk and authority forms have no path and stay as sent.
     */
    private String rewriteTarget(String target, boolean originForm) {
        int pathStart = RequestTarget.pathStart(target);
        if (pathStart < 0) {
            return target;
        }
        String rest = target.substring(pathStart);
        int queryStart = indexOfQueryOrFragment(rest);
        String path = rest.substring(0, queryStart);
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        if (pathPrefix.isPresent() && pathPrefix.get().appliesTo(path)) {
            path = pathPrefix.get().to() + path.substring(pathPrefix.get().from().length());
            path = path.startsWith("/") ? path : "/" + path;
        }
        return (originForm ? "" : target.substring(0, pathStart)) + path + rest.substring(queryStart);
    }

    private static int indexOfQueryOrFragment(String pathAndQuery) {
        for (int i = 0; i < pathAndQuery.length(); i++) {
            if (pathAndQuery.charAt(i) == '?' || pathAndQuery.charAt(i) == '#') {
                return i;
            }
        }
        return pathAndQuery.length();
    }

    private static void appendField(StringBuilder out, String name, String value) {
        out.append(name).append(": ").append(value).append("\r\n");
    }

    private static Set<String> lowerCase(List<String> names) {
        Set<String> set = new HashSet<>();
        names.forEach(name -> set.add(name.toLowerCase(Locale.ROOT)));
        return set;
    }

    /**
     * Checks one field as a rewrite would write it ({@code value} empty for a removal): a token for a name, a value
     * that cannot split the head and whose variables exist, and a field the rewrite may change.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static void checkField(String name, String value) {
        if (!HeadParser.isToken(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a valid header name");
        }
        checkValue(value, "header " + name);
        checkTemplate(name, value);
        checkChangeable(name, value);
    }

    /**
     * Refuses changes that would make the forwarded head invalid or let the upstream frame the body differently
     * from the client: an empty, missing or malformed {@code Host} (HTTP/1.1 requires one, as a host and optional
     * port) and any change to {@code Content-Length} or {@code Transfer-Encoding}.
     */
    private static void checkChangeable(String name, String value) {
        if (FRAMING_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(name + " frames the request body and cannot be rewritten");
        }
        if (name.equalsIgnoreCase("Host") && value.isBlank()) {
            throw new IllegalArgumentException("Host cannot be removed or emptied: HTTP/1.1 requests need it");
        }
        if (name.equalsIgnoreCase("Host") && !Authority.isValid(value.replaceAll("^[ \t]+|[ \t]+$", ""), false)) {
            throw new IllegalArgumentException("Host '" + value + "' is not a host and optional port");
        }
    }

    private static final Set<String> FRAMING_HEADERS = Set.of("content-length", "transfer-encoding");

    private static void checkPath(String path) {
        checkValue(path, "path prefix");
        if (path.chars().anyMatch(c -> c <= ' ' || c > '~' || c == '?' || c == '#')) {
            throw new IllegalArgumentException("path prefix '" + path + "' must be visible ASCII without spaces, "
                    + "'?' or '#'");
        }
    }

    private static void checkValue(String value, String what) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                throw new IllegalArgumentException(what + " contains CR or LF, which would split the head");
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                throw new IllegalArgumentException(what + " contains a control or non-Latin-1 character");
            }
        }
    }
}
