package org.streamprox.proxy.pool;

import java.util.List;

/**
 * The members a pool has now, its servers' names resolved, each group with its policy's balancer: replaced whole
 * when a name resolves to other addresses, so a connection chooses from one unchanging list.
 *
 * @param primaries  the members that are not backups
 * @param backups    the members taken only when no primary is usable
 * @param unresolved the host names with no address yet
 */
record Roster(Group primaries, Group backups, List<String> unresolved) {

    /** Members and the balancer that chooses among them; {@code offset} numbers them after the groups before. */
    record Group(List<Member> members, Balancer balancer, int offset) {

        static Group of(List<Member> members, Policy policy, int offset) {
            return new Group(List.copyOf(members), members.isEmpty() ? null : policy.balancer(members), offset);
        }
    }

    static Roster of(List<Member> members, Policy policy, List<String> unresolved) {
        List<Member> primaries = members.stream().filter(member -> !member.server().backup()).toList();
        List<Member> backups = members.stream().filter(member -> member.server().backup()).toList();
        return new Roster(Group.of(primaries, policy, 0), Group.of(backups, policy, primaries.size()),
                List.copyOf(unresolved));
    }

    int size() {
        return primaries.members().size() + backups.members().size();
    }

    /** Primaries first. */
    List<Member> members() {
        return java.util.stream.Stream.concat(primaries.members().stream(), backups.members().stream()).toList();
    }
}
