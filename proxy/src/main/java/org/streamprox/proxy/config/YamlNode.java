package org.streamprox.proxy.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A node of the parsed YAML document that knows where it stands, so that every complaint about it reads
 * {@code FILE:LINE: FIELD: problem}.
 */
final class YamlNode {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private final Node node;
    private final String source;
    private final String field;

    YamlNode(Node node, String source, String field) {
        this.node = node;
        this.source = source;
        this.field = field;
    }

    /** This node, the root of a configuration already read without error, as what is shown of it. */
    LoadedDocument asSource() {
        return LoadedDocument.of(source, node);
    }

    ConfigException error(String problem) {
        int line = node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
        return new ConfigException(source + ":" + line + ": " + (field.isEmpty() ? "" : field + ": ") + problem);
    }

    /** The mapping's entries in file order; any key outside {@code allowed} is an error. */
    Map<String, YamlNode> mapping(Set<String> allowed) throws ConfigException {
        return entries(allowed);
    }

    /** The mapping's entries in file order, whatever the keys (for header maps). */
    Map<String, YamlNode> anyMapping() throws ConfigException {
        return entries(null);
    }

    /**
     * A problem with a key is reported on the key's own line: its value may start on the next one.
     *
     * @param allowed the keys allowed, or null for any
     */
    private Map<String, YamlNode> entries(Set<String> allowed) throws ConfigException {
        if (!(node instanceof MappingNode mapping)) {
            throw error("expected a mapping of keys to values");
        }
        Map<String, YamlNode> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String name = new YamlNode(tuple.getKeyNode(), source, field).string();
            String childField = field.isEmpty() ? name : field + "." + name;
            YamlNode key = new YamlNode(tuple.getKeyNode(), source, childField);
            if (allowed != null && !allowed.contains(name)) {
                throw key.error("unknown key; expected one of "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
            if (entries.put(name, new YamlNode(tuple.getValueNode(), source, childField)) != null) {
                throw key.error("given twice");
            }
        }
        return entries;
    }

    List<YamlNode> sequence() throws ConfigException {
        if (!(node instanceof SequenceNode sequence)) {
            throw error("expected a list");
        }
        List<YamlNode> items = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            items.add(new YamlNode(item, source, field + "[" + items.size() + "]"));
        }
        return items;
    }

    boolean isSequence() {
        return node instanceof SequenceNode;
    }

    boolean isScalar() {
        return node instanceof ScalarNode;
    }

    String string() throws ConfigException {
        if (!(node instanceof ScalarNode scalar)) {
            throw error("expected a single value");
        }
        return scalar.getValue();
    }

    String nonEmptyString() throws ConfigException {
        String value = string();
        if (value.isBlank()) {
            throw error("must not be empty");
        }
        return value;
    }

    boolean bool() throws ConfigException {
        return switch (string()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error("expected true or false");
        };
    }

    int integer(int min, int max) throws ConfigException {
        String value = string().trim();
        try {
            int number = Integer.parseInt(value);
            if (number < min || number > max) {
                throw error("must be between " + min + " and " + max + ", not " + number);
            }
            return number;
        } catch (NumberFormatException e) {
            throw error("expected a whole number, not '" + value + "'");
        }
    }

    /** {@code 500ms}, {@code 10s}, {@code 5m} or {@code 1h}; must be positive. */
    Duration duration() throws ConfigException {
        String value = string().trim();
        Matcher matcher = DURATION.matcher(value);
        if (!matcher.matches()) {
            throw error("expected a duration such as 500ms, 10s, 5m or 1h, not '" + value + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        Duration duration = switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (duration.isZero() || duration.toMillis() > Integer.MAX_VALUE) {
            throw error("must be more than 0 and at most 24 days, not '" + value + "'");
        }
        return duration;
    }

    Pattern regex() throws ConfigException {
        String value = string();
        try {
            return Pattern.compile(value);
        } catch (IllegalArgumentException e) {
            throw error("not a valid regular expression: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Reads a node into a value, or complains at its line. */
    interface Reader<T> {
        T read(YamlNode node) throws ConfigException;
    }

    /** The value under {@code key} read by {@code reader}, or {@code fallback} when the key is absent. */
    static <T> T optional(Map<String, YamlNode> map, String key, Reader<T> reader, T fallback)
            throws ConfigException {
        YamlNode node = map.get(key);
        return node == null ? fallback : reader.read(node);
    }

    /** The value as {@code parser} reads it; its {@link IllegalArgumentException} becomes an error at this line. */
    <T> T parsed(Function<String, T> parser) throws ConfigException {
        try {
            return parser.apply(string());
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }
}
