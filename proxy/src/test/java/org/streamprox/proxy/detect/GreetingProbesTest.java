package org.streamprox.proxy.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.streamprox.testkit.Http.ascii;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streamprox.proxy.detect.Probe.Answer;

/** The probes that look for a fixed greeting: TLS's record header, SSH's identification, the HTTP/2 preface. */
class GreetingProbesTest {

    private static final String PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    private static Answer answer(Probe probe, byte... bytes) {
        return probe.answer(bytes, bytes.length);
    }

    private static Answer answer(Probe probe, String bytes) {
        return answer(probe, ascii(bytes));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void tlsMatchesAHandshakeRecordOfVersion3(int minor) {
        assertEquals(Answer.MATCH, answer(TlsRecordProbe.INSTANCE, (byte) 0x16, (byte) 3, (byte) minor));
    }

    @Test
    void tlsWaitsForTheVersionAndRefusesAnyOther() {
        assertEquals(Answer.NEED_MORE, answer(TlsRecordProbe.INSTANCE, (byte) 0x16));
        assertEquals(Answer.NEED_MORE, answer(TlsRecordProbe.INSTANCE, (byte) 0x16, (byte) 3));
        assertEquals(Answer.NO, answer(TlsRecordProbe.INSTANCE, (byte) 0x16, (byte) 3, (byte) 5));
        assertEquals(Answer.NO, answer(TlsRecordProbe.INSTANCE, (byte) 0x16, (byte) 2));
        assertEquals(Answer.NO, answer(TlsRecordProbe.INSTANCE, (byte) 0x17), "an application data record");
        assertEquals(Answer.NO, answer(TlsRecordProbe.INSTANCE, (byte) 0x80, (byte) 0x2e), "an SSL 2.0 hello");
        assertEquals(Answer.NO, answer(TlsRecordProbe.INSTANCE, "GET / HTTP/1.1\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SSH-", "SSH-2.0-OpenSSH_9.6\r\n", "SSH-1.99-Cisco-1.25\r\n"})
    void sshMatchesAnIdentificationString(String banner) {
        assertEquals(Answer.MATCH, answer(PrefixProbe.SSH, banner));
    }

    /** Unlike sslh, which waits for four bytes whatever the first is. */
    @Test
    void sshRefusesAtTheFirstByteThatDiffers() {
        assertEquals(Answer.NEED_MORE, answer(PrefixProbe.SSH, "SSH"));
        assertEquals(Answer.NO, answer(PrefixProbe.SSH, "G"));
        assertEquals(Answer.NO, answer(PrefixProbe.SSH, "SSX"));
        assertEquals(Answer.NO, answer(PrefixProbe.SSH, "ssh-2.0-x\r\n"));
    }

    @Test
    void h2cMatchesTheWholePrefaceOnly() {
        byte[] preface = ascii(PREFACE + "\0\0\0\4\0\0\0\0\0");
        for (int length = 1; length < PREFACE.length(); length++) {
            assertEquals(Answer.NEED_MORE, PrefixProbe.H2C.answer(preface, length), "after " + length + " bytes");
        }
        assertEquals(Answer.MATCH, PrefixProbe.H2C.answer(preface, PREFACE.length()));
        assertEquals(Answer.MATCH, PrefixProbe.H2C.answer(preface, preface.length));
        assertEquals(Answer.NO, answer(PrefixProbe.H2C, "PRI * HTTP/1.1\r\n"));
        assertEquals(Answer.NO, answer(PrefixProbe.H2C, "GET"));
        assertEquals(Answer.NO, answer(PrefixProbe.H2C, Arrays.copyOf(ascii(PREFACE.replace('M', 'X')), 24)));
    }
}
