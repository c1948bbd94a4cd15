package org.streamprox.proxy.config;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Where a configuration came from and what it said, to show people (the admin listener's {@code /config}): the
 * YAML document as plain maps, lists and values, with its secrets already replaced by {@link #HIDDEN}.
 *
 * <p>Secrets are the values of {@code password} keys and of the credential headers a rewrite sets
 * ({@code Authorization}, {@code Proxy-Authorization}, {@code Cookie}). The configuration names key and
 * certificate files only by their paths, so their contents are never in it.
 *
 * @param name     the file, or what stands for it ({@code built-in streamprox-default.yaml})
 * @param loadedAt when it was read
 * @param document the document, secrets hidden: string keys; maps, lists, strings, numbers, booleans and nulls
 */
public record LoadedDocument(String name, Instant loadedAt, Map<String, Object> document) {

    /** What a secret value reads as. */
    public static final String HIDDEN = "(hidden)";

    private static final Set<String> HEADER_MAPS = Set.of("set-headers", "replace-headers");
    private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "proxy-authorization", "cookie");

    public LoadedDocument {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(loadedAt, "loadedAt");
        Objects.requireNonNull(document, "document");
    }

    /** The document of an already validated configuration, read now. */
    static LoadedDocument of(String name, Node root) {
        Object document = new StandardConstructor(LoadSettings.builder().build())
                .constructSingleDocument(Optional.of(root));
        @SuppressWarnings("unchecked")
        Map<String, Object> shown = (Map<String, Object>) withoutSecrets(document, false);
        return new LoadedDocument(name, Instant.now(), shown);
    }

    /**
     * An unmodifiable copy of a constructed YAML value with string keys and secrets hidden, maps in file order
     * (YAML allows nulls, which {@link Map#copyOf} refuses).
     *
     * @param headerValues whether the value is a map of header names to values
     */
    private static Object withoutSecrets(Object value, boolean headerValues) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, entry) -> {
                String name = String.valueOf(key);
                boolean secret = name.equals("password")
                        || headerValues && CREDENTIAL_HEADERS.contains(name.toLowerCase(Locale.ROOT));
                copy.put(name, secret ? HIDDEN : withoutSecrets(entry, HEADER_MAPS.contains(name)));
            });
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(withoutSecrets(item, false)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }
}
