package org.streamprox.proxy.pool;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A client's address picks its member on a hash ring (consistent hashing): each member owns
 * {@value #POINTS_PER_WEIGHT} points per unit of weight, placed by hashing its name, and a client goes to the owner
 * of the first point at or after its address's hash. Adding or removing a member moves only the clients of the
 * points it gains or loses; a member that is not usable passes its clients on to the next owner round the ring.
 * Slow start does not apply: a client keeps its server.
 */
final class ClientHash implements Balancer {

    /** Enough points that shares stay within a few percent of the weights. */
    static final int POINTS_PER_WEIGHT = 160;

    private final long[] points;
    private final int[] owners;

    ClientHash(List<Member> members) {
        int total = members.stream().mapToInt(member -> member.server().weight() * POINTS_PER_WEIGHT).sum();
        long[][] ring = new long[total][];
        int next = 0;
        for (int index = 0; index < members.size(); index++) {
            byte[] name = members.get(index).name().getBytes(StandardCharsets.UTF_8);
            int count = members.get(index).server().weight() * POINTS_PER_WEIGHT;
            for (int point = 0; point < count; point++) {
                ring[next++] = new long[] {hash(name, point), index};
            }
        }
        Arrays.sort(ring, (x, y) -> Long.compareUnsigned(x[0], y[0]));
        points = new long[total];
        owners = new int[total];
        for (int i = 0; i < total; i++) {
            points[i] = ring[i][0];
            owners[i] = (int) ring[i][1];
        }
    }

    @Override
    public int pick(Choice choice) {
        int start = firstPointFrom(hash(choice.client(), 0));
        for (int step = 0; step < points.length; step++) {
            int owner = owners[(start + step) % points.length];
            if (choice.usable(owner)) {
                return owner;
            }
        }
        return -1;
    }

    /** The index of the first point at or after {@code hash}, round to 0 past the last. */
    private int firstPointFrom(long hash) {
        int low = 0;
        int high = points.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (Long.compareUnsigned(points[middle], hash) < 0) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low == points.length ? 0 : low;
    }

    /** FNV-1a over the bytes and the salt, finished with MurmurHash3's mix so that near inputs land far apart. */
    static long hash(byte[] bytes, int salt) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        for (int shift = 0; shift < 32; shift += 8) {
            hash = (hash ^ ((salt >>> shift) & 0xff)) * 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return hash;
    }
}
