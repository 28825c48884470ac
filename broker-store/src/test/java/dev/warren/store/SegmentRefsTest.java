package dev.warren.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SegmentRefsTest {
    @Test
    void onlyUnreferencedSegmentsBeforeTheCurrentOneAreTakenNeverTheOneAfterThem() {
        SegmentRefs refs = new SegmentRefs();
        refs.segmentCreated(2);
        refs.segmentCreated(3);
        refs.segmentCreated(4);
        refs.addEntry(1, 2);
        refs.addEntry(1, 4); // 2 and 4 are live, 3 is not: in the tree, 3 has both as children
        assertEquals(3, refs.takeUnreferencedBefore(5), "the unreferenced segment, not its neighbour");
        assertEquals(-1, refs.takeUnreferencedBefore(5), "2 and 4 stay");
    }
}
