package org.streamprox.proxy.pool;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamprox.proxy.net.IpAddresses;

/**
 * Turns a pool's servers into members: each host name looked up (its first address, or all of them), each address
 * given the state it had before. A name that does not resolve keeps the members it had, and says so once.
 */
final class Lookups {

    private static final Logger LOG = LoggerFactory.getLogger(Pool.class);

    private final String pool;
    private final PoolSpec spec;
    /** By member name: kept across lookups and reloads, so counts stay where connections were opened. */
    private final Map<String, ServerState> states = new ConcurrentHashMap<>();
    /** Host names that failed to resolve last time, so the failure is logged once. */
    private final Map<Server, Boolean> failing = new ConcurrentHashMap<>();

    Lookups(String pool, PoolSpec spec) {
        this.pool = pool;
        this.spec = spec;
    }

    /** Takes over the states and failures {@code previous}, the same pool's before a reload, knew. */
    void adopt(Lookups previous) {
        states.putAll(previous.states);
        failing.putAll(previous.failing);
    }

    /** Whether any server is written as a host name, which a later lookup may find elsewhere. */
    boolean hasNames() {
        return spec.servers().stream().anyMatch(server -> IpAddresses.parse(server.host()).isEmpty());
    }

    /**
     * Every server's addresses now, as members; a name that does not resolve keeps its members in {@code before}.
     */
    Roster members(List<Member> before) {
        List<Member> members = new ArrayList<>();
        List<String> unresolved = new ArrayList<>();
        for (Server server : spec.servers()) {
            try {
                for (InetAddress address : addresses(server)) {
                    members.add(member(server, new InetSocketAddress(address, server.port())));
                }
            } catch (UnknownHostException e) {
                List<Member> last = lastMembers(before, server);
                if (failing.put(server, Boolean.TRUE) == null) {
                    LOG.warn("pool {}: {} does not resolve ({}); {}", pool, server.host(), e.getMessage(),
                            last.isEmpty() ? "it has no address" : "keeping its last addresses " + last);
                }
                if (last.isEmpty()) {
                    unresolved.add(server.host());
                }
                members.addAll(last);
            }
        }
        return Roster.of(members, spec.policy(), unresolved);
    }

    /** The server's address, or its name's: the first, or all of them. */
    private List<InetAddress> addresses(Server server) throws UnknownHostException {
        Optional<InetAddress> literal = IpAddresses.parse(server.host());
        if (literal.isPresent()) {
            return List.of(literal.get());
        }
        InetAddress[] all = InetAddress.getAllByName(server.host());
        List<InetAddress> addresses = spec.resolution().all() ? Arrays.asList(all) : List.of(all[0]);
        if (failing.remove(server) != null) {
            LOG.info("pool {}: {} resolves again, to {}", pool, server.host(), addresses);
        }
        return addresses;
    }

    /** The member at that address, with the state that address had. */
    private Member member(Server server, InetSocketAddress address) {
        Member fresh = new Member(server, address, new ServerState());
        ServerState state = states.computeIfAbsent(fresh.name(), name -> fresh.state());
        return state == fresh.state() ? fresh : new Member(server, address, state);
    }

    /**
     * The members {@code server}'s name had: by host and port, so a reload that changed its weight or backup keeps
     * them too, as that server.
     */
    private static List<Member> lastMembers(List<Member> before, Server server) {
        return before.stream()
                .filter(member -> member.server().host().equalsIgnoreCase(server.host())
                        && member.server().port() == server.port())
                .map(member -> new Member(server, member.address(), member.state()))
                .toList();
    }
}
