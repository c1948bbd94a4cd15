package org.streamprox.proxy.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Addresses in the logs as an operator would write them. */
class AccessLogTest {

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, 8080, 127.0.0.1:8080",
        "0.0.0.0, 8080, 0.0.0.0:8080",
        "::1, 80, [::1]:80",
        "::, 8080, [::]:8080",
        "2001:db8:0:0:1:0:0:1, 443, [2001:db8::1:0:0:1]:443",
        "2001:db8:1:2:3:4:5:6, 1, [2001:db8:1:2:3:4:5:6]:1",
        "fe80:0:0:0:0:0:0:0, 9, [fe80::]:9",
        "fe80:0:0:0:0:0:0:1%1, 9, [fe80::1%1]:9",
    })
    void addressesAreWrittenInTheirShortForm(String host, int port, String written) throws Exception {
        assertEquals(written, AccessLog.address(new InetSocketAddress(InetAddress.getByName(host), port)));
    }
}
