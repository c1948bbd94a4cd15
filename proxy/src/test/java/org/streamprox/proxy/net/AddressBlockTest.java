package org.streamprox.proxy.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Blocks as an operator writes them, and the addresses at their edges. */
class AddressBlockTest {

    @ParameterizedTest
    @CsvSource({"127.0.0.1, 127.0.0.1/32", "127.0.0.1/32, 127.0.0.1/32", "127.0.0.0/8, 127.0.0.0/8",
        "0.0.0.0/0, 0.0.0.0/0", "::1, ::1/128", "::1/128, ::1/128", "fe80::/10, fe80::/10", "::/0, ::/0",
        "127.0.0.1/8, 127.0.0.0/8", "127.1.2.3/20, 127.1.0.0/20", "fe80::1/64, fe80::/64",
        "::ffff:127.0.0.0/104, 127.0.0.0/8", "::ffff:127.0.0.1, 127.0.0.1/32", "::ffff:0:0/96, 0.0.0.0/0"})
    void isWrittenAsItIsMatched(String text, String block) {
        assertEquals(block, AddressBlock.parse(text).toString());
    }

    @ParameterizedTest
    @CsvSource({
        "127.16.0.0/12, 127.16.0.0, 127.31.255.255, 127.15.255.255, 127.32.0.0",
        "192.0.2.64/26, 192.0.2.64, 192.0.2.127, 192.0.2.63, 192.0.2.128",
        "192.0.2.7/31, 192.0.2.6, 192.0.2.7, 192.0.2.5, 192.0.2.8",
        "127.0.0.1, 127.0.0.1, 127.0.0.1, 127.0.0.0, 127.0.0.2",
        "0.0.0.0/0, 0.0.0.0, 255.255.255.255, ::, ::1",
        "fe80:0:0:1::/65, fe80:0:0:1::, fe80:0:0:1:7fff:ffff:ffff:ffff, fe80::ffff:ffff:ffff:ffff, fe80:0:0:1:8000::",
        "::1, ::1, ::1, ::, ::2",
        "::/0, ::, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, 127.0.0.1, 0.0.0.0",
    })
    void holdsItsFirstAndLastAddressesAndNotTheirNeighbours(String text, String first, String last, String before,
            String after) throws Exception {
        AddressBlock block = AddressBlock.parse(text);
        assertTrue(block.contains(InetAddress.getByName(first)), first);
        assertTrue(block.contains(InetAddress.getByName(last)), last);
        assertFalse(block.contains(InetAddress.getByName(before)), before);
        assertFalse(block.contains(InetAddress.getByName(after)), after);
    }

    /** However it is held: the JDK reads {@code ::ffff:a.b.c.d} as IPv4, but an Inet6Address can be made of it. */
    @Test
    void anIpv4MappedAddressIsItsIpv4Address() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
        InetAddress held = Inet6Address.getByAddress(null, mapped, -1);
        assertTrue(held instanceof Inet6Address);
        assertTrue(AddressBlock.parse("127.0.0.0/8").contains(held));
        assertTrue(AddressBlock.parse("::ffff:127.0.0.1").contains(held));
        assertTrue(AddressBlock.parse("::ffff:127.0.0.1").contains(InetAddress.getByName("127.0.0.1")));
        assertFalse(AddressBlock.parse("::/0").contains(held));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/8", "127.0.0.0/", "127.0.0.0/33", "::/129", "127.0.0.0/08", "127.0.0.0/+8",
        "127.0.0.0/-1", "127.0.0.0/8/8", "127.0.0.0 /8", " 127.0.0.0/8", "127.0.0/8", "0127.0.0.0/8", "localhost",
        "example.org/32", "[::1]/128", "fe80::1%1/128", "::ffff:0:0/95", "127.0.0.0/1000"})
    void malformedTextIsRefusedNamingIt(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AddressBlock.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }
}
