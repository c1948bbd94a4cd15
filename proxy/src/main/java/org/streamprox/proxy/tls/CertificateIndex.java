package org.streamprox.proxy.tls;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the certificates for a requested server name, by their position in the configured list: those naming it
 * exactly, else those with a wildcard for its parent domain ({@code *.example.test} covers {@code a.example.test},
 * not {@code example.test} nor {@code a.b.example.test}), else the default ones. Names compare without case.
 */
final class CertificateIndex {

    private final Map<String, List<Integer>> exact = new HashMap<>();
    /** Keyed by the domain after the {@code *.}. */
    private final Map<String, List<Integer>> wildcard = new HashMap<>();
    private final List<Integer> defaults = new ArrayList<>();

    /**
     * The first certificate is the default. Later ones for the same names are defaults too, so that an RSA twin
     * of an ECDSA default serves the clients that cannot take ECDSA.
     */
    CertificateIndex(List<ServerCertificate> certificates) {
        List<String> defaultNames = certificates.getFirst().names();
        for (int i = 0; i < certificates.size(); i++) {
            List<String> names = certificates.get(i).names();
            for (String name : names) {
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.startsWith("*.")) {
                    wildcard.computeIfAbsent(lower.substring(2), key -> new ArrayList<>()).add(i);
                } else {
                    exact.computeIfAbsent(lower, key -> new ArrayList<>()).add(i);
                }
            }
            if (names.equals(defaultNames)) {
                defaults.add(i);
            }
        }
    }

    /**
     * The positions of the best-matching certificates, in list order.
     *
     * @param serverName the name the client asked for (SNI), or null when it asked for none
     */
    List<Integer> candidates(String serverName) {
        if (serverName != null) {
            String name = serverName.toLowerCase(Locale.ROOT);
            List<Integer> named = exact.getOrDefault(name, wildcard.get(parentDomain(name)));
            if (named != null) {
                return named;
            }
        }
        return defaults;
    }

    /** Whether a certificate names this server name exactly or by a wildcard; the default does not count. */
    boolean covers(String serverName) {
        String name = serverName.toLowerCase(Locale.ROOT);
        return exact.containsKey(name) || wildcard.containsKey(parentDomain(name));
    }

    /** What follows the first label; null for a single label, which no wildcard covers. */
    private static String parentDomain(String name) {
        int dot = name.indexOf('.');
        return dot > 0 ? name.substring(dot + 1) : null;
    }
}
