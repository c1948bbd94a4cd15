package org.streamprox.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.InRange;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.streamprox.testkit.SplitTransport;

/**
 * Coverage-guided fuzzing of {@link ClientHelloReader}: whatever the bytes, it returns a hello read from them or
 * refuses them with one of its alerts, and neither how the reads cut the bytes nor how the records cut the hello
 * changes which, nor which hello or refusal. Any other exception is a finding.
 *
 * <p>Each run reads the input as a client's bytes twice: in one read, and in the reads {@code readSplit} gives. With
 * {@code asBody} it also reads the input as the body of a ClientHello, in records as large as records get read at
 * once, and in the record sizes {@code recordSplit} gives read as {@code readSplit} gives.
 *
 * <p>Kept inputs: {@code src/test/resources/org/streamprox/proxy/tls/ClientHelloReaderFuzzTestInputs/}.
 */
class ClientHelloReaderFuzzTest {

    private static final Set<Integer> ALERTS = Set.of(TlsAlert.NONE, TlsAlert.UNEXPECTED_MESSAGE,
            TlsAlert.RECORD_OVERFLOW, TlsAlert.HANDSHAKE_FAILURE, TlsAlert.ILLEGAL_PARAMETER, TlsAlert.DECODE_ERROR,
            TlsAlert.PROTOCOL_VERSION);

    /** The reads never block, so the deadline is never what ends a read. */
    private static final long NO_DEADLINE = TimeUnit.MINUTES.toNanos(10);
    private static final int MAX_RECORD = 1 << 14;
    private static final byte[] ALL_AT_ONCE = new byte[0];

    /** Starting points: the JDK's own hello, crafted ones with every extension read, in records whole and cut up. */
    static Stream<Arguments> helloStarts() throws Exception {
        byte[] jdk = jdkHello();
        byte[] jdkBody = Arrays.copyOfRange(jdk, 9, jdk.length);
        byte[] crafted = new CraftedHello().serverName("a.Example").alpn("h2", "http/1.1")
                .extension(CraftedHello.ENCRYPTED_CLIENT_HELLO, new byte[] {0, 0, 1, 0, 1, 7, 0, 0, 0, 1, 0})
                .extension(CraftedHello.PRE_SHARED_KEY, new byte[8]).body();
        byte[] tls12 = new CraftedHello().version(0x0301).sessionId(0).withoutExtensions().body();
        return Stream.of(
                Arguments.of(jdk, false, 16 * 1024, ALL_AT_ONCE, new byte[] {3}),
                Arguments.of(jdkBody, true, 16 * 1024, new byte[] {0}, new byte[] {(byte) 255, 7}),
                Arguments.of(crafted, true, 1024, new byte[] {100, 6}, ALL_AT_ONCE),
                Arguments.of(CraftedHello.records(CraftedHello.message(crafted), 2), false, 2048, ALL_AT_ONCE,
                        new byte[] {0, 10}),
                Arguments.of(tls12, true, 4096, new byte[] {20}, new byte[] {1}),
                Arguments.of(new byte[] {(byte) 0x80, 0x2e, 1, 3, 1}, false, 1024, ALL_AT_ONCE, new byte[] {0}));
    }

    /** What the JDK's TLS client sends first, taken from its engine without a socket. */
    private static byte[] jdkHello() throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("seed.example", 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        engine.setSSLParameters(parameters);
        ByteBuffer records = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), records);
        return Arrays.copyOf(records.array(), records.position());
    }

    @MethodSource("helloStarts")
    @FuzzTest(maxDuration = "12s")
    void readsTheSameHelloHoweverReadsAndRecordsCutIt(byte @NotNull @WithLength(max = 20_000) [] input,
            boolean asBody, @InRange(min = 1024, max = 20_000) int maxBytes, byte @NotNull [] recordSplit,
            byte @NotNull [] readSplit) throws IOException {
        ClientHelloReader reader = new ClientHelloReader(maxBytes);
        assertEquals(read(reader, maxBytes, input, ALL_AT_ONCE), read(reader, maxBytes, input, readSplit),
                "reads of " + Arrays.toString(readSplit));
        if (!asBody) {
            return;
        }
        byte[] message = CraftedHello.message(input);
        byte[] cut = CraftedHello.records(message,
                record -> recordSplit.length == 0 ? MAX_RECORD : (recordSplit[record % recordSplit.length] & 0xff) + 1);
        String cutOutcome = read(reader, maxBytes, cut, readSplit);
        if (cut.length <= maxBytes) {
            assertEquals(read(reader, maxBytes, CraftedHello.records(message, MAX_RECORD), ALL_AT_ONCE), cutOutcome,
                    "records of " + Arrays.toString(recordSplit) + ", reads of " + Arrays.toString(readSplit));
        } else {
            // More record headers than the whole's: only the limit may tell them apart.
            assertTrue(cutOutcome.startsWith("refused " + TlsAlert.HANDSHAKE_FAILURE + ":"), cutOutcome);
        }
    }

    /** Reads the bytes, checks what came back against them, and describes it for comparison. */
    private static String read(ClientHelloReader reader, int maxBytes, byte[] bytes, byte[] split)
            throws IOException {
        ClientHelloReader.Result result;
        try {
            result = reader.read(new SplitTransport(bytes, split), System.nanoTime() + NO_DEADLINE);
        } catch (TlsRefusal e) {
            assertTrue(ALERTS.contains(e.alert()), "undefined alert " + e.alert() + ": " + e);
            assertTrue(e.bytesRead() <= bytes.length && e.bytesRead() <= maxBytes, e.bytesRead() + " bytes read");
            return "refused " + e.alert() + ": " + e.getMessage();
        }
        // What followed the hello in the same reads is checked but not compared: how far they went depends on the cut.
        int read = result.bytesRead();
        assertTrue(read <= bytes.length && read <= maxBytes, read + " bytes read");
        byte[] buffered = new byte[result.buffered().remaining()];
        result.buffered().duplicate().get(buffered);
        assertArrayEquals(Arrays.copyOf(bytes, read), buffered);
        ClientHello hello = result.hello();
        hello.serverName().ifPresent(name -> assertEquals(name.toLowerCase(Locale.ROOT), name));
        hello.protocols().forEach(protocol -> assertFalse(protocol.isEmpty()));
        return "read " + hello;
    }
}
