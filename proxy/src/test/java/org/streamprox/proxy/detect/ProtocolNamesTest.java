package org.streamprox.proxy.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The names users write in configurations: four built in, any other bound to a regex. */
class ProtocolNamesTest {

    private static final Pattern ANY = Pattern.compile("x");

    @Test
    void theBuiltInNamesAreExactlyHttpTlsSshAndH2c() {
        for (Protocol protocol : List.of(Protocol.HTTP, Protocol.TLS, Protocol.SSH, Protocol.H2C)) {
            assertEquals(protocol, NamedProbe.builtIn(protocol.name()).orElseThrow().protocol());
        }
        assertEquals(List.of("http", "tls", "ssh", "h2c"),
                List.of(Protocol.HTTP.name(), Protocol.TLS.name(), Protocol.SSH.name(), Protocol.H2C.name()));
        for (String other : List.of("HTTP", "https", "h2", "ssl", "")) {
            assertTrue(NamedProbe.builtIn(other).isEmpty(), other);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "tls", "ssh", "h2c"})
    void aRegexCannotTakeABuiltInName(String name) {
        assertThrows(IllegalArgumentException.class, () -> NamedProbe.regex(name, ANY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "openvpn proxy", "OpenVPN", "-x", "x:y", "é"})
    void aRegexNeedsANameALogLineCanHold(String name) {
        assertThrows(IllegalArgumentException.class, () -> NamedProbe.regex(name, ANY));
    }

    @Test
    void aRegexProtocolIsReportedUnderItsName() {
        assertEquals(new Protocol("open-vpn_2.x"), NamedProbe.regex("open-vpn_2.x", ANY).protocol());
    }
}
