package org.streamprox.proxy.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressBlocksTest {

    @Test
    void anAddressInAnyBlockIsIn() throws Exception {
        AddressBlocks blocks = AddressBlocks.parse(List.of("127.0.0.1", "127.16.0.0/12", "::1"));
        assertTrue(blocks.contains(InetAddress.getByName("127.0.0.1")));
        assertTrue(blocks.contains(InetAddress.getByName("127.20.30.40")));
        assertTrue(blocks.contains(InetAddress.getByName("::1")));
        assertFalse(blocks.contains(InetAddress.getByName("127.0.0.2")));
        assertEquals("127.0.0.1/32, 127.16.0.0/12, ::1/128", blocks.toString());
    }

    @Test
    void noBlocksHoldNothing() throws Exception {
        assertFalse(AddressBlocks.parse(List.of()).contains(InetAddress.getByName("127.0.0.1")));
    }

    @Test
    void theFirstMalformedTextIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AddressBlocks.parse(List.of("127.0.0.1", "127.0.0.0/40", "nonsense")));
        assertTrue(e.getMessage().contains("'127.0.0.0/40'"), e.getMessage());
    }
}
