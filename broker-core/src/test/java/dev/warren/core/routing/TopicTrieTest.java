package dev.warren.core.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicTrieTest {
    private static final String TWENTY_WORDS = "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t";

    private final TopicTrie<String> trie = new TopicTrie<>();

    private List<String> match(String routingKey) {
        List<String> matched = new ArrayList<>();
        trie.match(routingKey, matched::add);
        Collections.sort(matched);
        return matched;
    }

    // '' is the empty string; the expected result says whether the pattern matches the key.
    @ParameterizedTest(name = "pattern \"{0}\" vs key \"{1}\" -> {2}")
    @CsvSource({
        // '#' alone
        "'#', '', true",
        "'#', 'a', true",
        "'#', 'a.b.c', true",
        "'#', '.', true",
        "'#', " + TWENTY_WORDS + ", true",
        // '*' alone
        "'*', 'a', true",
        "'*', '', false",
        "'*', 'a.b', false",
        "'*', '.', false",
        // a.#.b
        "'a.#.b', 'a.b', true",
        "'a.#.b', 'a.x.b', true",
        "'a.#.b', 'a.x.y.z.b', true",
        "'a.#.b', 'a.b.c', false",
        "'a.#.b', 'b.a.b', false",
        "'a.#.b', 'a', false",
        // #.#
        "'#.#', '', true",
        "'#.#', 'a', true",
        "'#.#', 'a.b.c', true",
        "'#.#.#', 'a', true",
        "'a.#.#.b', 'a.b', true",
        "'a.#.#.b', 'a.x.y.b', true",
        // a.*.c
        "'a.*.c', 'a.b.c', true",
        "'a.*.c', 'a.c', false",
        "'a.*.c', 'a.b.b.c', false",
        "'a.*.c', 'a..c', true",
        // *.*
        "'*.*', 'a.b', true",
        "'*.*', 'a', false",
        "'*.*', '.', true",
        "'*.*', 'a.b.c', false",
        // empty words
        "'a..b', 'a..b', true",
        "'a..b', 'a.b', false",
        "'a.', 'a.', true",
        "'a.', 'a', false",
        "'.a', '.a', true",
        "'.a', 'a', false",
        "'.', '.', true",
        "'.', '', false",
        "'a.*', 'a.', true",
        "'*.a', '.a', true",
        "'#.', '', false",
        "'#.', '.', true",
        "'#.', 'a.b.', true",
        "'', '', true",
        "'', 'a', false",
        "'a', '', false",
        // many words
        TWENTY_WORDS + ", " + TWENTY_WORDS + ", true",
        "'*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*', " + TWENTY_WORDS + ", true",
        "'*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*', " + TWENTY_WORDS + ", false",
        "'a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.x', " + TWENTY_WORDS + ", false",
        "'a.#.j.#.t', " + TWENTY_WORDS + ", true",
        "'#.t.#', " + TWENTY_WORDS + ", true",
        // #.a and a.#
        "'#.a', 'a', true",
        "'#.a', 'x.y.a', true",
        "'#.a', 'a.x', false",
        "'#.a', '', false",
        "'a.#', 'a', true",
        "'a.#', 'a.', true",
        "'a.#', 'a.b.c', true",
        "'a.#', 'b.a', false",
        "'a.#', 'ab', false",
        // #.a.#
        "'#.a.#', 'a', true",
        "'#.a.#', 'x.a.y', true",
        "'#.a.#', 'x.y.a', true",
        "'#.a.#', 'x.y', false",
        "'#.b.#.d.#', 'a.b.c.d.e', true",
        "'#.b.#.d.#', 'a.d.b', false",
        // *.# and #.*
        "'*.#', '', false",
        "'*.#', 'a', true",
        "'*.#', 'a.b.c', true",
        "'#.*', '', false",
        "'#.*', 'a', true",
        "'#.*', 'a.b', true",
        "'*.#.*', 'a', false",
        "'*.#.*', 'a.b', true",
        "'*.#.*', 'a.b.c.d', true",
        // literal keys
        "'a.b.c', 'a.b.c', true",
        "'a.b.c', 'a.b', false",
        "'a.b', 'a.b.c', false",
        "'a.b.c', 'a.x.c', false",
        "'café.*', 'café.crème', true",
        // wildcard characters in a routing key are plain words there
        "'a', '*', false",
        "'a.b', '#', false",
        "'*', '*', true",
        "'#', '#', true",
        "'a*', 'ab', false",
        // case sensitivity
        "'A.b', 'a.b', false",
        "'a.b', 'A.B', false",
        "'A.*', 'A.B', true",
    })
    void patternMatchesRoutingKeyAsRabbitMqDoes(String pattern, String routingKey, boolean expected) {
        trie.add(pattern, "q");
        assertEquals(expected ? List.of("q") : List.of(), match(routingKey));
    }

    @Test
    void routingKeysAreSplitOnEveryDotAndTheEmptyKeyHasNoWords() {
        assertArrayEquals(new String[0], TopicTrie.words(""));
        assertArrayEquals(new String[] {"a"}, TopicTrie.words("a"));
        assertArrayEquals(new String[] {"a", ""}, TopicTrie.words("a."));
        assertArrayEquals(new String[] {"", "a"}, TopicTrie.words(".a"));
        assertArrayEquals(new String[] {"a", "", "b"}, TopicTrie.words("a..b"));
        assertArrayEquals(new String[] {"", ""}, TopicTrie.words("."));
        assertArrayEquals(new String[] {"", "", ""}, TopicTrie.words(".."));
    }

    @Test
    void everyDestinationBoundWithAMatchingPatternIsReported() {
        trie.add("a.*", "q1");
        trie.add("a.*", "q2");
        trie.add("#.b", "q3");
        trie.add("a.c", "q4");
        assertEquals(List.of("q1", "q2", "q3"), match("a.b"));
        assertEquals(List.of("q1", "q2", "q4"), match("a.c"));
        assertEquals(List.of(), match("b.a"));
    }

    @Test
    void aDestinationMatchedByTwoPatternsIsReportedOnce() {
        trie.add("a.*", "q");
        trie.add("#.b", "q");
        trie.add("#", "q");
        trie.add("a.b", "q");
        assertEquals(List.of("q"), match("a.b"));
    }

    @Test
    void aDestinationReachedTwiceThroughOneHashPatternIsReportedOnce() {
        trie.add("#.a.#", "q");
        assertEquals(List.of("q"), match("a.a.a.a"));
    }

    @Test
    void aRoutingKeyWordThatIsAWildcardReportsItsDestinationOnce() {
        trie.add("*", "q1");
        trie.add("#", "q2");
        assertEquals(List.of("q1", "q2"), match("*"));
        assertEquals(List.of("q1", "q2"), match("#"));
    }

    @Test
    void hashPatternsDoNotBlowUpOnLongKeys() {
        trie.add("#.#.#.#.#.#.#.#.#.#.#.#.z", "q");
        trie.add("#.*.#.*.#.*.#.*.#.*.#.z", "q");
        String key = String.join(".", Collections.nCopies(250, "a"));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertEquals(List.of(), match(key)));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertEquals(List.of("q"), match(key + ".z")));
    }

    @Test
    void removeUnbindsOnlyTheGivenPatternAndDestination() {
        trie.add("a.*", "q1");
        trie.add("a.*", "q2");
        trie.add("a.b", "q1");
        assertTrue(trie.remove("a.*", "q1"));
        assertEquals(List.of("q1", "q2"), match("a.b"));
        assertEquals(List.of("q2"), match("a.c"));
    }

    @Test
    void removeReportsWhetherTheBindingWasPresent() {
        assertFalse(trie.remove("a", "q"));
        trie.add("a.b", "q");
        assertFalse(trie.remove("a", "q"));
        assertFalse(trie.remove("a.b", "other"));
        assertFalse(trie.remove("a.b.c", "q"));
        assertTrue(trie.remove("a.b", "q"));
        assertFalse(trie.remove("a.b", "q"));
    }

    @Test
    void removingTheLastBindingPrunesTheTrieUntilItIsEmpty() {
        assertTrue(trie.isEmpty());
        trie.add("a.#.b", "q");
        trie.add("a", "q");
        assertFalse(trie.isEmpty());
        trie.remove("a.#.b", "q");
        assertFalse(trie.isEmpty());
        assertEquals(List.of("q"), match("a"));
        trie.remove("a", "q");
        assertTrue(trie.isEmpty());
    }

    @Test
    void removingALongerPatternKeepsTheShorterPatternOnItsPath() {
        trie.add("a", "q1");
        trie.add("a.b.c", "q2");
        trie.remove("a.b.c", "q2");
        assertEquals(List.of("q1"), match("a"));
        assertEquals(List.of(), match("a.b.c"));
    }

    @Test
    void removingAShorterPatternKeepsTheLongerPatternBelowIt() {
        trie.add("a", "q1");
        trie.add("a.b.c", "q2");
        trie.remove("a", "q1");
        assertEquals(List.of(), match("a"));
        assertEquals(List.of("q2"), match("a.b.c"));
    }

    @Test
    void aPatternCanBeBoundAgainAfterItWasRemoved() {
        trie.add("a.*.c", "q");
        trie.remove("a.*.c", "q");
        assertEquals(List.of(), match("a.b.c"));
        trie.add("a.*.c", "q");
        assertEquals(List.of("q"), match("a.b.c"));
    }

    @Test
    void bindingTheSamePatternAndDestinationTwiceKeepsOneBinding() {
        trie.add("a", "q");
        trie.add("a", "q");
        assertEquals(List.of("q"), match("a"));
        assertTrue(trie.remove("a", "q"));
        assertTrue(trie.isEmpty());
    }

    @Test
    void theEmptyPatternIsBoundAtTheRootAndMatchesOnlyTheEmptyKey() {
        trie.add("", "q");
        assertFalse(trie.isEmpty());
        assertEquals(List.of("q"), match(""));
        assertEquals(List.of(), match("a"));
        assertTrue(trie.remove("", "q"));
        assertTrue(trie.isEmpty());
    }

    @Test
    void destinationsAreComparedWithEquals() {
        TopicTrie<Set<String>> sets = new TopicTrie<>();
        sets.add("a", Set.of("x"));
        sets.add("*", Set.of("x"));
        List<Set<String>> matched = new ArrayList<>();
        sets.match("a", matched::add);
        assertEquals(List.of(Set.of("x")), matched);
        assertTrue(sets.remove("a", Set.of("x")));
    }
}
