package org.streamprox.demos;

import java.lang.reflect.InvocationTargetException;

/**
 * The jar's entry point, compiled for Java 8 so that an older Java runs it far enough to say what is wrong: on a Java
 * older than 21 it says so in one line and exits 1; on 21 or newer it hands over to {@link Main}, loaded only then.
 */
public final class Launcher {

    static final int REQUIRED_JAVA = 21;

    private Launcher() {
    }

    public static void main(String[] args) throws Throwable {
        String version = System.getProperty("java.specification.version");
        if (feature(version) < REQUIRED_JAVA) {
            System.err.println("streamprox: needs Java " + REQUIRED_JAVA + " or newer; found Java " + version + " at "
                    + System.getProperty("java.home"));
            System.exit(1);
        }
        try {
            // By name: a direct reference would not compile for Java 8 against Main's Java 21 class file.
            Class.forName("org.streamprox.demos.Main").getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** 8 for "1.8", 17 for "17". */
    private static int feature(String version) {
        String feature = version.startsWith("1.") ? version.substring(2) : version;
        int dot = feature.indexOf('.');
        return Integer.parseInt(dot < 0 ? feature : feature.substring(0, dot));
    }
}
