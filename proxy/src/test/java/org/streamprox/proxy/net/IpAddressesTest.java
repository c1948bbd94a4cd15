package org.streamprox.proxy.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Literals read strictly and written short, compared with what the JDK reads from the same text. */
class IpAddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "0.0.0.0", "255.255.255.255", "127.0.0.10", "192.0.2.100"})
    void readsDottedQuads(String text) throws Exception {
        assertEquals(Optional.of(InetAddress.getByName(text)), IpAddresses.parseIpv4(text));
        assertEquals(Optional.of(InetAddress.getByName(text)), IpAddresses.parse(text));
    }

    /** Octal-looking parts, short forms the C library takes, and anything that could be a host name. */
    @ParameterizedTest
    @ValueSource(strings = {"", "127.0.0.01", "127.0.0.00", "127.0.1", "127.1", "2130706433", "0x7f.0.0.1",
        "256.0.0.1", "127.0.0.1.", ".127.0.0.1", "127..0.1", "127.0.0.1 ", " 127.0.0.1", "+127.0.0.1", "127.0.0.-1",
        "127.0.0.1000", "localhost", "example.org", "\u0661\u0662\u0667.0.0.1", "::1"})
    void refusesAnythingElseAsIpv4(String text) {
        assertEquals(Optional.empty(), IpAddresses.parseIpv4(text), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "1::", "fe80::1:2", "FE80:0:0:0:0:0:0:1", "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:127.0.0.1", "::127.0.0.1", "fe80::192.0.2.33",
        "fe80::1", "0001:0002:0003:0004:0005:0006:0007:0008", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"})
    void readsIpv6AsInetPtonDoes(String text) throws Exception {
        assertEquals(Optional.of(InetAddress.getByName(text)), IpAddresses.parseIpv6(text));
        assertEquals(Optional.of(InetAddress.getByName(text)), IpAddresses.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1:::2", "1::2::3", ":1::", "::1:", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::", "g::1", "[::1]", "fe80::1%1", "fe80::1%eth0",
        "::127.0.0.01", "::127.0.1", "127.0.0.1::", "::127.0.0.1:5", "1:2:3:4:5:6:7:127.0.0.1", "::\u0661", "::+1",
        "127.0.0.1"})
    void refusesAnythingElseAsIpv6(String text) {
        assertEquals(Optional.empty(), IpAddresses.parseIpv6(text), text);
    }

    @Test
    void anIpv4MappedAddressIsHeldAsItsIpv4Address() {
        InetAddress mapped = IpAddresses.parseIpv6("::ffff:127.0.0.1").orElseThrow();
        assertInstanceOf(Inet4Address.class, mapped);
        assertEquals("127.0.0.1", IpAddresses.text(mapped));
        assertTrue(mapped.isLoopbackAddress());
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1, 127.0.0.1", "0:0:0:0:0:0:0:0, ::", "0:0:0:0:0:0:0:1, ::1", "1:0:0:0:0:0:0:0, 1::",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3", "fe80:0:0:0:1:0:0:1, fe80::1:0:0:1",
        "FE80:0:1:1:1:1:1:1, fe80:0:1:1:1:1:1:1", "fe80:0:0:0:0:0:0:0, fe80::", "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
        "0:0:0:0:0:0:a00:1, ::a00:1"})
    void writesRfc5952ShortForm(String address, String written) throws Exception {
        assertEquals(written, IpAddresses.text(InetAddress.getByName(address)));
    }
}
