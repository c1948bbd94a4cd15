package org.streamprox.proxy.connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.config.ProxySettings;
import org.streamprox.proxy.detect.Detection;
import org.streamprox.proxy.detect.Detector;
import org.streamprox.proxy.detect.NamedProbe;
import org.streamprox.proxy.detect.Probe;
import org.streamprox.proxy.detect.Protocol;
import org.streamprox.proxy.net.AddressBlocks;
import org.streamprox.proxy.observe.ConnectionRecord;
import org.streamprox.proxy.observe.Outcome;
import org.streamprox.proxy.observe.Refusal;
import org.streamprox.proxy.proxyprotocol.ProxyHeaderReader;
import org.streamprox.proxy.proxyprotocol.ProxyHeaderRefusal;
import org.streamprox.proxy.route.Route;
import org.streamprox.proxy.route.Router;
import org.streamprox.proxy.transport.Transport;

/**
 * What a listener makes of a connection's first bytes, before any head: the PROXY header a trusted proxy sends
 * ahead of its client's bytes, then which protocol the bytes speak, or the client's silence. Both share the head's
 * deadline. A listener with nothing to tell apart (plain HTTP only, no PROXY headers) reads nothing here.
 */
final class FirstBytes {

    private static final Logger LOG = LoggerFactory.getLogger(FirstBytes.class);

    /** A whole ordinary head, or the start of a ClientHello, in one read. */
    private static final int DETECT_BYTES = 2048;
    /** Not a protocol anyone routes: the start of a PROXY header, from a peer not trusted to send one. */
    private static final Protocol PROXY_HEADER = new Protocol("proxy-header");
    /** Version 2's signature; a version 1 header is longer than this too. */
    private static final int PROXY_HEADER_START = 12;
    private static final Probe PROXY_HEADER_PROBE = (bytes, length) -> {
        if (!ProxyHeaderReader.couldStartHeader(ByteBuffer.wrap(bytes, 0, length))) {
            return Probe.Answer.NO;
        }
        return length >= PROXY_HEADER_START ? Probe.Answer.MATCH : Probe.Answer.NEED_MORE;
    };

    /** Where the first bytes belong. */
    sealed interface Verdict {

        /** An HTTP head, or bytes for the head reader to refuse as today. */
        record Http() implements Verdict {
        }

        /** A TLS handshake: the TLS stage reads its ClientHello. */
        record Tls() implements Verdict {
        }

        /** Another protocol, or a silent client, with a route that tunnels it as it came. */
        record Tunnel(Route route) implements Verdict {
        }

        /** Nothing to serve: the plan says why. */
        record Refused(Plan plan) implements Verdict {
        }
    }

    private final ProxySettings settings;
    private final Router router;
    private final Optional<AddressBlocks> proxyHeadersFrom;
    private final ProxyHeaderReader proxyHeaders;
    /** For connections whose bytes need telling apart; empty when every connection is read as HTTP. */
    private final Optional<Detector> detector;
    /** For peers not trusted to send a PROXY header: the detector, looking for one first. */
    private final Optional<Detector> untrustedDetector;

    FirstBytes(ProxySettings settings, Router router) {
        this.settings = settings;
        this.router = router;
        this.proxyHeadersFrom = settings.arrival().proxyHeadersFrom();
        this.proxyHeaders = new ProxyHeaderReader(ProxyHeaderReader.DEFAULT_MAX_BYTES);
        List<NamedProbe> probes = probes(settings, router);
        boolean detects = probes.size() > 1 || router.onSilence().isPresent();
        this.detector = detects ? Optional.of(new Detector(probes, DETECT_BYTES)) : Optional.empty();
        List<NamedProbe> untrusted = new ArrayList<>();
        untrusted.add(new NamedProbe(PROXY_HEADER, PROXY_HEADER_PROBE));
        untrusted.addAll(probes);
        this.untrustedDetector = proxyHeadersFrom.isPresent() ? Optional.of(new Detector(untrusted, DETECT_BYTES))
                : detector;
    }

    /**
     * HTTP first, the common case; TLS where the listener takes it; the protocols routed. The built-in probes never
     * claim the same bytes, so their order is only speed; a regex comes after them, in {@code protocols:} order.
     */
    private static List<NamedProbe> probes(ProxySettings settings, Router router) {
        List<NamedProbe> probes = new ArrayList<>();
        probes.add(NamedProbe.builtIn(Protocol.HTTP.name()).orElseThrow());
        if (settings.tls().inspectsHellos()) {
            probes.add(NamedProbe.builtIn(Protocol.TLS.name()).orElseThrow());
        }
        for (String builtIn : List.of(Protocol.SSH.name(), Protocol.H2C.name())) {
            if (router.protocols().contains(builtIn)) {
                probes.add(NamedProbe.builtIn(builtIn).orElseThrow());
            }
        }
        for (NamedProbe named : settings.arrival().namedProtocols()) {
            if (router.protocols().contains(named.protocol().name())) {
                probes.add(named);
            }
        }
        return probes;
    }

    /**
     * Reads the PROXY header, if the peer is a trusted proxy, and tells the protocol; the bytes after the header are
     * given back to the client's transport for the next stage.
     *
     * @throws ProxyHeaderRefusal when a trusted proxy's header is missing or malformed
     */
    Verdict classify(Transport client, ConnectionRecord record, long headDeadline)
            throws IOException, ProxyHeaderRefusal {
        Optional<Detector> detecting = detector;
        if (proxyHeadersFrom.isPresent()) {
            if (proxyHeadersFrom.get().contains(client.peerAddress().getAddress())) {
                ProxyHeaderReader.Result read = proxyHeaders.read(client, headDeadline);
                record.countBytes(read.bytesRead(), 0);
                record.proxied(read.header());
                // The header's TLVs (the name and protocol the proxy saw, its TLS) are for tracing, not every line.
                if (LOG.isDebugEnabled()) {
                    LOG.debug("#{} PROXY header {}", record.id(), read.header().describe());
                }
            } else {
                detecting = untrustedDetector;
            }
        }
        if (detecting.isEmpty()) {
            return new Verdict.Http();
        }
        long detectDeadline = router.onSilence().isPresent()
                ? System.nanoTime() + settings.arrival().detectTimeout().toNanos() : headDeadline;
        Detection detection = detecting.get().detect(client, detectDeadline, headDeadline);
        record.detected(detection.label());
        return verdict(detection, client, record);
    }

    private Verdict verdict(Detection detection, Transport client, ConnectionRecord record) {
        return switch (detection) {
            case Detection.Silent silent when router.onSilence().isPresent() -> {
                record.protocol("silent");
                yield new Verdict.Tunnel(router.onSilence().get());
            }
            // The very instance: a protocol the configuration named alike is another.
            case Detection.Matched matched when matched.protocol() == PROXY_HEADER -> {
                record.countBytes(matched.bytesRead(), 0);
                yield new Verdict.Refused(new Close(Outcome.closed(Refusal.PROXY_HEADER, "PROXY header from "
                        + client.peerAddress().getAddress().getHostAddress()
                        + ", which is not a trusted proxy (accept-proxy-protocol)")));
            }
            case Detection.Matched matched when matched.protocol().equals(Protocol.TLS) -> new Verdict.Tls();
            // Only routed protocols are looked for, so a route is there.
            case Detection.Matched matched when router.forProtocol(matched.protocol().name()).isPresent() -> {
                record.protocol(matched.protocol().name());
                yield new Verdict.Tunnel(router.forProtocol(matched.protocol().name()).get());
            }
            case Detection.Incomplete incomplete -> {
                record.countBytes(incomplete.bytesRead(), 0);
                long timeout = settings.head().timeout().toMillis();
                yield new Verdict.Refused(incomplete.awaited().equals(Protocol.HTTP)
                        ? new Answer(408, Refusal.HEAD_TIMEOUT, "head not complete within " + timeout + " ms")
                        : new Close(Outcome.closed(Refusal.HEAD_TIMEOUT, "first bytes not complete within " + timeout
                                + " ms (" + incomplete.awaited().name() + "?)")));
            }
            // HTTP, unknown bytes (refused by the head reader as before: h2c's preface with 505), silence without a
            // route, an early close.
            default -> new Verdict.Http();
        };
    }
}
