package org.streamprox.proxy.proxyprotocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.streamprox.proxy.proxyprotocol.Wire.ascii;
import static org.streamprox.proxy.proxyprotocol.Wire.concat;
import static org.streamprox.proxy.proxyprotocol.Wire.tlv;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.streamprox.proxy.proxyprotocol.ProxyHeader.Command;

/** What a header says, as the engine asks it: the client's address, the TLVs it knows, one line for the log. */
class ProxyHeaderTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5123);
    private static final InetSocketAddress FRONT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 443);
    private static final ProxyAddresses.Tcp TCP = new ProxyAddresses.Tcp(CLIENT, FRONT);

    @Test
    void onlyAProxyCommandWithTcpAddressesAssertsAClient() {
        assertEquals(Optional.of(CLIENT), new ProxyHeader(2, Command.PROXY, TCP, List.of()).clientAddress());
        assertEquals(Optional.empty(), new ProxyHeader(2, Command.LOCAL, TCP, List.of()).clientAddress());
        assertEquals(Optional.empty(), new ProxyHeader(2, Command.PROXY, new ProxyAddresses.Unix("/a", "/b"),
                List.of()).clientAddress());
        assertEquals(Optional.empty(), new ProxyHeader(1, Command.PROXY, new ProxyAddresses.Unspecified(),
                List.of()).clientAddress());
    }

    /** A name with a space or a line break would otherwise end the log's field, or its line. */
    @Test
    void whatTheClientChoseIsEscapedInTheLogLine() {
        ProxyHeader header = new ProxyHeader(2, Command.PROXY, new ProxyAddresses.Unix("/a b", "/c\nd"),
                List.of(Tlv.authority("evil.example\r\n#2 forged"), Tlv.alpn("h2 x\\")));
        assertEquals("v2 UNIX /a\\x20b -> /c\\x0ad authority=evil.example\\x0d\\x0a#2\\x20forged alpn=h2\\x20x\\x5c",
                header.describe());
    }

    @Test
    void theFirstTlvOfATypeAnswersAndAMalformedSslTlvHasNoVersion() {
        ProxyHeader header = new ProxyHeader(2, Command.PROXY, TCP, List.of(Tlv.authority("a.example"),
                Tlv.authority("b.example"), new Tlv(Tlv.SSL, concat(new byte[5], new byte[] {Tlv.SSL_VERSION, 0, 7}))));
        assertEquals(Optional.of("a.example"), header.authority());
        assertEquals(Optional.empty(), header.sslVersion());
        assertEquals(Optional.empty(), header.uniqueId());
    }

    @Test
    void theSslVersionIsFoundAmongTheSslTlvsOwn() {
        byte[] ssl = concat(new byte[] {1, 0, 0, 0, 0}, tlv(0x22, "client.example"), tlv(Tlv.SSL_VERSION, "TLSv1.2"));
        assertEquals(Optional.of("TLSv1.2"),
                new ProxyHeader(2, Command.PROXY, TCP, List.of(new Tlv(Tlv.SSL, ssl))).sslVersion());
    }

    /** A header read once cannot be changed through the bytes it was made of or gave out. */
    @Test
    void tlvValuesAreCopiesAndCompareByContent() {
        byte[] bytes = ascii("conn-1");
        Tlv tlv = new Tlv(Tlv.UNIQUE_ID, bytes);
        bytes[0] = 'X';
        tlv.value()[1] = 'X';
        assertEquals(new Tlv(Tlv.UNIQUE_ID, ascii("conn-1")), tlv);
        assertEquals(new Tlv(Tlv.UNIQUE_ID, ascii("conn-1")).hashCode(), tlv.hashCode());
        assertNotEquals(new Tlv(Tlv.ALPN, ascii("conn-1")), tlv);
        assertEquals("Tlv[type=0x05, value=conn-1]", tlv.toString());
    }

    @Test
    void onlyVersionsOneAndTwoExist() {
        assertThrows(IllegalArgumentException.class, () -> new ProxyHeader(3, Command.PROXY, TCP, List.of()));
    }
}
