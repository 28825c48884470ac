package dev.warren.core.routing;

import java.util.Arrays;

/**
 * An immutable consistent-hash ring: each member owns {@link #POINTS_PER_WEIGHT} points per unit of its
 * weight, and a hash belongs to the member owning the first point at or after it (wrapping around).
 *
 * <p>A member's points depend only on its identity string: point {@code i} sits at
 * {@code murmur3(i, seed = murmur3(identity))}. So the same members give the same ring whatever order they
 * were added in (and after a restart), adding a member takes over only the hashes just before its own
 * points, and removing one hands only its own hashes to the members after them. Each member's share of the
 * hash space is random around its weight's share, with a relative spread of about
 * {@code 1/sqrt(weight * POINTS_PER_WEIGHT)}: a few percent for a weight of 10 and up.
 *
 * <p>{@link #with} and {@link #without} return a new ring (a linear merge or filter) and never change this
 * one, so a router can publish a ring through a volatile field and look hashes up without a lock:
 * {@link #owner} is a binary search over a sorted int array.
 *
 * @param <T> what the members are (the router's bindings)
 */
final class HashRing<T> {
    /** Points per unit of weight; more make shares closer to the weights, and a ring bigger. */
    static final int POINTS_PER_WEIGHT = 256;

    private static final HashRing<Object> EMPTY = new HashRing<>(new int[0], new Member<?>[0]);

    private record Member<T>(T owner, String identity) {
    }

    /** Sorted ascending (signed); equal positions in identity order. */
    private final int[] positions;
    /** Who owns the point at the same index. */
    private final Member<?>[] members;

    private HashRing(int[] positions, Member<?>[] members) {
        this.positions = positions;
        this.members = members;
    }

    @SuppressWarnings("unchecked")
    static <T> HashRing<T> empty() {
        return (HashRing<T>) EMPTY;
    }

    int size() {
        return positions.length;
    }

    /** This ring and {@code owner}, placed by {@code identity}, with {@code weight} times the points per weight. */
    HashRing<T> with(T owner, String identity, int weight) {
        int count = Math.multiplyExact(weight, POINTS_PER_WEIGHT);
        int seed = Murmur3.hash(identity);
        int[] added = new int[count];
        for (int i = 0; i < count; i++) {
            added[i] = Murmur3.hash(i, seed);
        }
        Arrays.sort(added);
        Member<T> member = new Member<>(owner, identity);
        int total = positions.length + count;
        int[] mergedPositions = new int[total];
        Member<?>[] mergedMembers = new Member<?>[total];
        int i = 0;
        int j = 0;
        for (int k = 0; k < total; k++) {
            boolean takeOld = j == count
                    || i < positions.length && (positions[i] < added[j]
                            || positions[i] == added[j] && members[i].identity().compareTo(identity) <= 0);
            if (takeOld) {
                mergedPositions[k] = positions[i];
                mergedMembers[k] = members[i++];
            } else {
                mergedPositions[k] = added[j++];
                mergedMembers[k] = member;
            }
        }
        return new HashRing<>(mergedPositions, mergedMembers);
    }

    /** This ring without the points of {@code owner} (compared with equals). */
    HashRing<T> without(T owner) {
        int kept = 0;
        for (Member<?> member : members) {
            if (!member.owner().equals(owner)) {
                kept++;
            }
        }
        if (kept == members.length) {
            return this;
        }
        int[] keptPositions = new int[kept];
        Member<?>[] keptMembers = new Member<?>[kept];
        int k = 0;
        for (int i = 0; i < members.length; i++) {
            if (!members[i].owner().equals(owner)) {
                keptPositions[k] = positions[i];
                keptMembers[k++] = members[i];
            }
        }
        return new HashRing<>(keptPositions, keptMembers);
    }

    /** The member owning {@code hash}: the first point at or after it, else the first point; null when empty. */
    @SuppressWarnings("unchecked")
    T owner(int hash) {
        int high = positions.length;
        if (high == 0) {
            return null;
        }
        int low = 0;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (positions[middle] < hash) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return (T) members[low == positions.length ? 0 : low].owner();
    }
}
