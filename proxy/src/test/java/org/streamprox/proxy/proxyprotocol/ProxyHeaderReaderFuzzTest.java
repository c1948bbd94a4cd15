package org.streamprox.proxy.proxyprotocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.InRange;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import com.code_intelligence.jazzer.mutation.annotation.WithLength;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.streamprox.proxy.proxyprotocol.ProxyHeader.Command;
import org.streamprox.testkit.SplitTransport;

/**
 * Coverage-guided fuzzing of {@link ProxyHeaderReader}: whatever the bytes, it reads one header from them or
 * refuses them, and how the reads cut the bytes changes neither which nor what. Any other exception is a finding,
 * as are: bytes after the header not given back as they were, a refusal as not a header that
 * {@link ProxyHeaderReader#couldStartHeader} disagrees with, a log line with a byte outside printable ASCII, and a
 * client's TCP header that {@link ProxyHeaderWriter} does not write back to the same header.
 *
 * <p>Each run reads the input as a client's bytes twice: in one read, and in the reads {@code split} gives.
 *
 * <p>Kept inputs, HAProxy's own headers among them (v1, v2 after TLS with its TLVs, a health check's LOCAL):
 * {@code src/test/resources/org/streamprox/proxy/proxyprotocol/ProxyHeaderReaderFuzzTestInputs/}.
 */
class ProxyHeaderReaderFuzzTest {

    /** The reads never block, so the deadline is never what ends a read. */
    private static final long NO_DEADLINE = TimeUnit.MINUTES.toNanos(10);
    private static final byte[] ALL_AT_ONCE = new byte[0];

    @FuzzTest(maxDuration = "12s")
    void readsTheSameHeaderHoweverReadsCutIt(byte @NotNull @WithLength(max = 5000) [] input,
            @InRange(min = ProxyHeaderReader.MIN_BYTES, max = 5000) int maxBytes, byte @NotNull [] split)
            throws IOException {
        ProxyHeaderReader reader = new ProxyHeaderReader(maxBytes);
        String whole = read(reader, input, ALL_AT_ONCE);
        assertEquals(whole, read(reader, input, split), "reads of " + Arrays.toString(split));
        assertEquals(whole.startsWith("refused: not a PROXY header"),
                !ProxyHeaderReader.couldStartHeader(ByteBuffer.wrap(input)), whole);
    }

    /** Reads the bytes, checks what came back against them, and describes it for comparison. */
    private static String read(ProxyHeaderReader reader, byte[] bytes, byte[] split) throws IOException {
        SplitTransport client = new SplitTransport(bytes, split);
        ProxyHeaderReader.Result result;
        try {
            result = reader.read(client, System.nanoTime() + NO_DEADLINE);
        } catch (ProxyHeaderRefusal e) {
            assertTrue(e.bytesRead() <= bytes.length, e.bytesRead() + " bytes read");
            return "refused: " + e.getMessage();
        }
        // What was read past the header is replayed: the next reader gets every byte after it, in order.
        assertArrayEquals(Arrays.copyOfRange(bytes, result.bytesRead(), bytes.length), rest(client));
        ProxyHeader header = result.header();
        String line = header.describe();
        assertTrue(line.chars().allMatch(c -> c >= ' ' && c < 0x7f), line);
        if (header.addresses() instanceof ProxyAddresses.Tcp tcp && header.command() == Command.PROXY) {
            byte[] written = header.version() == 1
                    ? ProxyHeaderWriter.v1(tcp.source(), tcp.destination())
                    : ProxyHeaderWriter.v2(tcp.source(), tcp.destination(), header.tlvs());
            assertEquals(header, readBack(reader, written));
        }
        return "read " + result.bytesRead() + " bytes: " + header;
    }

    private static byte[] rest(SplitTransport client) {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        ByteBuffer chunk = ByteBuffer.allocate(512);
        while (client.read(chunk.clear()) >= 0) {
            rest.write(chunk.array(), 0, chunk.position());
        }
        return rest.toByteArray();
    }

    private static ProxyHeader readBack(ProxyHeaderReader reader, byte[] written) throws IOException {
        try {
            return reader.read(new SplitTransport(written, ALL_AT_ONCE), System.nanoTime() + NO_DEADLINE).header();
        } catch (ProxyHeaderRefusal e) {
            throw new AssertionError("what the writer wrote was refused: " + e.getMessage(), e);
        }
    }
}
