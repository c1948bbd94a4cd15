package org.streamprox.apps.admin;

import java.util.Locale;
import java.util.Objects;

/**
 * How a reload went, as {@code POST /reload} answers it: 200 when the new configuration is in force, 400 when it
 * was refused (the old one stays), 501 when this proxy cannot reload.
 *
 * @param kind    which of those
 * @param message for people: what was loaded, or why not (file, line and field)
 */
public record ReloadResult(Kind kind, String message) {

    /** The three answers and their statuses. */
    public enum Kind {
        OK(200), FAILED(400), NOT_AVAILABLE(501);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        int status() {
            return status;
        }

        /** As the JSON answer writes it: {@code ok}, {@code failed}, {@code not-available}. */
        String text() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public ReloadResult {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    public static ReloadResult ok(String message) {
        return new ReloadResult(Kind.OK, message);
    }

    public static ReloadResult failed(String message) {
        return new ReloadResult(Kind.FAILED, message);
    }

    public static ReloadResult notAvailable(String message) {
        return new ReloadResult(Kind.NOT_AVAILABLE, message);
    }
}
