package org.streamprox.proxy.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The header fields of a request head, in arrival order, duplicates kept, looked up case-insensitively. */
public final class HeaderFields {

    /** One header line; the name keeps the client's spelling. */
    public record Field(String name, String value) {
        public boolean is(String otherName) {
            return name.equalsIgnoreCase(otherName);
        }
    }

    private static final HeaderFields EMPTY = new HeaderFields(List.of());

    private final List<Field> fields;

    public HeaderFields(List<Field> fields) {
        this.fields = List.copyOf(fields);
    }

    public static HeaderFields empty() {
        return EMPTY;
    }

    /** The first value of the named header, if any. */
    public Optional<String> first(String name) {
        for (Field field : fields) {
            if (field.is(name)) {
                return Optional.of(field.value());
            }
        }
        return Optional.empty();
    }

    /** Every value of the named header, in order. */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (Field field : fields) {
            if (field.is(name)) {
                values.add(field.value());
            }
        }
        return values;
    }

    public List<Field> asList() {
        return fields;
    }

    public int size() {
        return fields.size();
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
