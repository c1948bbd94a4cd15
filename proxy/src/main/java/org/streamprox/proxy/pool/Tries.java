package org.streamprox.proxy.pool;

import java.net.InetAddress;
import java.util.BitSet;

/**
 * The servers one new connection tries, in the order it tries them: the policy's choice among the primaries
 * that are available and not tried yet, else among the backups, else (a last resort) among those only cooling down
 * after connect failures; each member once, at most the pool's {@code tries}.
 */
public final class Tries implements Balancer.Choice {

    private final Pool pool;
    private final Roster roster;
    private final InetAddress client;
    private final BitSet tried = new BitSet();
    private int left;
    private Roster.Group group;
    private long now;
    private byte[] clientBytes;
    /** Set once nothing else is left: members cooling down after connect failures are tried too. */
    private boolean lastResort;

    Tries(Pool pool, Roster roster, InetAddress client, int tries) {
        this.pool = pool;
        this.roster = roster;
        this.client = client;
        this.left = Math.min(tries, roster.size());
    }

    /** The next member to try, or null when there is none left to try. */
    public Member next() {
        if (left == 0) {
            return null;
        }
        now = System.nanoTime();
        Member member = chooseAmongAll();
        if (member == null && !lastResort) {
            // A cool-down is a guess from failures; with nowhere else to go, a try beats a certain 502.
            lastResort = true;
            member = chooseAmongAll();
        }
        if (member != null) {
            left--;
        }
        return member;
    }

    private Member chooseAmongAll() {
        Member member = choose(roster.primaries());
        return member != null ? member : choose(roster.backups());
    }

    private Member choose(Roster.Group from) {
        if (from.balancer() == null) {
            return null;
        }
        group = from;
        int index = from.balancer().pick(this);
        if (index < 0) {
            return null;
        }
        tried.set(from.offset() + index);
        return from.members().get(index);
    }

    /** How many members the pool had to choose from. */
    public int members() {
        return roster.size();
    }

    /** The host names that had no address when the connection came. */
    public java.util.List<String> unresolved() {
        return roster.unresolved();
    }

    @Override
    public boolean usable(int index) {
        Member member = group.members().get(index);
        if (tried.get(group.offset() + index)) {
            return false;
        }
        return lastResort ? member.state().upAndActive() : member.state().available(now, pool.changes(), member);
    }

    @Override
    public double share(int index) {
        return group.members().get(index).state().share(now, pool.spec().slowStart().toNanos());
    }

    @Override
    public int open(int index) {
        return group.members().get(index).state().openConnections();
    }

    @Override
    public byte[] client() {
        if (clientBytes == null) {
            clientBytes = client == null ? new byte[0] : client.getAddress();
        }
        return clientBytes;
    }
}
