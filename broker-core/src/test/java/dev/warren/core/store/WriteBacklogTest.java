package dev.warren.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteBacklogTest {
    private final WriteBacklog backlog = new WriteBacklog(100, 40);
    private final List<Boolean> heard = new ArrayList<>();

    WriteBacklogTest() {
        backlog.onChange(heard::add);
    }

    @Test
    void fallsBehindAtTheHighMarkAndCatchesUpOnlyAtTheLowMark() {
        backlog.add(99);
        assertFalse(backlog.behind());
        backlog.add(1);
        assertTrue(backlog.behind(), "at the high mark");
        backlog.remove(50);
        assertTrue(backlog.behind(), "50 is above the low mark");
        backlog.remove(10);
        assertFalse(backlog.behind(), "down to the low mark");
        assertEquals(List.of(true, false), heard, "each change heard once");
    }

    @Test
    void anAddThatCrossesAgainAfterCatchingUpIsHeardAgain() {
        backlog.add(150);
        backlog.remove(150);
        backlog.add(100);
        assertEquals(List.of(true, false, true), heard);
        assertEquals(100, backlog.bytes());
    }

    @Test
    void aStoreThatWritesNothingIsNeverBehind() {
        WriteBacklog.NONE.add(Long.MAX_VALUE / 2);
        assertFalse(WriteBacklog.NONE.behind());
        WriteBacklog.NONE.remove(Long.MAX_VALUE / 2);
    }
}
