package dev.warren.core.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadersMatcherTest {

    /** A map in the given key/value order; values may be null (AMQP void). */
    private static Map<String, Object> table(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static boolean matches(Map<String, Object> binding, Map<String, Object> headers) {
        return HeadersMatcher.matches(binding, headers);
    }

    // x-match all (the default)

    @Test
    void allMatchesWhenEveryArgumentHasAnEqualHeader() {
        assertTrue(matches(table("x-match", "all", "a", "1", "b", 2), table("b", 2, "a", "1")));
    }

    @Test
    void allIsTheDefaultWhenXMatchIsAbsent() {
        assertTrue(matches(table("a", "1", "b", 2), table("a", "1", "b", 2)));
        assertFalse(matches(table("a", "1", "b", 2), table("a", "1")));
    }

    @Test
    void allFailsWhenOneArgumentIsMissingFromTheHeaders() {
        assertFalse(matches(table("x-match", "all", "a", "1", "b", 2), table("a", "1")));
    }

    @Test
    void allFailsWhenOneHeaderHasAnotherValue() {
        assertFalse(matches(table("x-match", "all", "a", "1", "b", 2), table("a", "1", "b", 3)));
    }

    @Test
    void headersWithoutAMatchingArgumentAreIgnored() {
        assertTrue(matches(table("a", "1"), table("a", "1", "extra", true, "x-extra", 5)));
    }

    @Test
    void allFailsForAMessageWithoutHeaders() {
        assertFalse(matches(table("a", "1"), null));
        assertFalse(matches(table("a", "1"), table()));
    }

    @Test
    void anUnrecognisedXMatchValueIsRoutedAsAll() {
        assertTrue(matches(table("x-match", "bogus", "a", 1), table("a", 1)));
        assertFalse(matches(table("x-match", "ANY", "a", 1, "b", 2), table("a", 1)));
        assertFalse(matches(table("x-match", "any".getBytes(StandardCharsets.UTF_8), "a", 1, "b", 2), table("a", 1)));
    }

    // x-match any

    @Test
    void anyMatchesWhenOneArgumentHasAnEqualHeader() {
        assertTrue(matches(table("x-match", "any", "a", "1", "b", 2), table("b", 2)));
        assertTrue(matches(table("x-match", "any", "a", "1", "b", 2), table("a", "1", "b", 99)));
    }

    @Test
    void anyFailsWhenNoArgumentHasAnEqualHeader() {
        assertFalse(matches(table("x-match", "any", "a", "1", "b", 2), table("a", "2", "c", 2)));
    }

    @Test
    void anyFailsForAMessageWithoutHeaders() {
        assertFalse(matches(table("x-match", "any", "a", "1"), null));
    }

    // bindings with nothing to compare

    @Test
    void allWithNoArgumentsToCompareMatchesEveryMessage() {
        assertTrue(matches(table(), null));
        assertTrue(matches(table(), table("a", 1)));
        assertTrue(matches(table("x-match", "all"), null));
        assertTrue(matches(table("x-match", "all", "x-foo", "bar"), table("x-foo", "other")));
        assertTrue(matches(null, null));
    }

    @Test
    void anyWithNoArgumentsToCompareMatchesNoMessage() {
        assertFalse(matches(table("x-match", "any"), table("a", 1)));
        assertFalse(matches(table("x-match", "any", "x-foo", "bar"), table("x-foo", "bar")));
    }

    @Test
    void allWithXAndOnlyXMatchMatchesEveryMessage() {
        assertTrue(matches(table("x-match", "all-with-x"), null));
    }

    @Test
    void anyWithXAndOnlyXMatchMatchesNoMessage() {
        assertFalse(matches(table("x-match", "any-with-x"), table("x-match", "any-with-x")));
    }

    // x- arguments

    @Test
    void xArgumentsAreIgnoredByAll() {
        assertTrue(matches(table("x-match", "all", "x-foo", "bar", "a", 1), table("a", 1)));
        assertTrue(matches(table("x-foo", "bar", "a", 1), table("a", 1, "x-foo", "other")));
    }

    @Test
    void xArgumentsAreIgnoredByAny() {
        assertFalse(matches(table("x-match", "any", "x-foo", "bar", "a", 1), table("x-foo", "bar")));
    }

    @Test
    void allWithXComparesXArguments() {
        Map<String, Object> binding = table("x-match", "all-with-x", "x-foo", "bar", "a", 1);
        assertTrue(matches(binding, table("a", 1, "x-foo", "bar")));
        assertFalse(matches(binding, table("a", 1)));
        assertFalse(matches(binding, table("a", 1, "x-foo", "baz")));
    }

    @Test
    void anyWithXComparesXArguments() {
        Map<String, Object> binding = table("x-match", "any-with-x", "x-foo", "bar", "a", 1);
        assertTrue(matches(binding, table("x-foo", "bar")));
        assertTrue(matches(binding, table("a", 1)));
        assertFalse(matches(binding, table("x-foo", "baz", "a", 2)));
    }

    @Test
    void xMatchItselfIsNeverCompared() {
        assertTrue(matches(table("x-match", "all-with-x", "a", 1), table("a", 1)));
        assertTrue(matches(table("x-match", "all-with-x", "a", 1), table("a", 1, "x-match", "any")));
    }

    // void arguments

    @Test
    void aVoidArgumentMatchesAHeaderWithAnyValue() {
        assertTrue(matches(table("a", null), table("a", "whatever")));
        assertTrue(matches(table("a", null), table("a", 42)));
        assertTrue(matches(table("a", null), table("a", table("nested", 1))));
    }

    @Test
    void aVoidArgumentMatchesAVoidHeader() {
        assertTrue(matches(table("a", null), table("a", null)));
    }

    @Test
    void aVoidArgumentNeedsTheHeaderToBePresent() {
        assertFalse(matches(table("a", null), table("b", 1)));
        assertFalse(matches(table("a", null), null));
    }

    @Test
    void aVoidArgumentCountsAsAMatchForAny() {
        assertTrue(matches(table("x-match", "any", "a", null, "b", 1), table("a", "x")));
    }

    @Test
    void aVoidXArgumentChecksPresenceInTheWithXModes() {
        assertTrue(matches(table("x-match", "all-with-x", "x-a", null), table("x-a", 1)));
        assertFalse(matches(table("x-match", "all-with-x", "x-a", null), table("a", 1)));
    }

    @Test
    void aVoidHeaderDoesNotEqualAnArgumentWithAValue() {
        assertFalse(matches(table("a", 1), table("a", null)));
        assertFalse(matches(table("a", ""), table("a", null)));
    }

    // value comparison

    @Test
    void integersOfDifferentWidthsAreEqualWhenTheirValuesAre() {
        assertTrue(matches(table("a", 1), table("a", 1L)));
        assertTrue(matches(table("a", (byte) 1), table("a", (short) 1)));
        assertTrue(matches(table("a", Long.MAX_VALUE), table("a", Long.MAX_VALUE)));
        assertFalse(matches(table("a", 1), table("a", 2L)));
        assertFalse(matches(table("a", Long.MAX_VALUE), table("a", Long.MAX_VALUE - 1)));
    }

    @Test
    void anIntegerNeverEqualsAFloat() {
        assertFalse(matches(table("a", 1), table("a", 1.0)));
        assertFalse(matches(table("a", 1.0f), table("a", 1L)));
    }

    @Test
    void floatsAndDoublesAreEqualWhenTheirValuesAre() {
        assertTrue(matches(table("a", 1.5f), table("a", 1.5)));
        assertTrue(matches(table("a", 2.25), table("a", 2.25)));
        assertFalse(matches(table("a", 0.1f), table("a", 0.1)));
    }

    @Test
    void decimalsAreEqualOnlyWithTheSameScaleAndUnscaledValue() {
        assertTrue(matches(table("a", new BigDecimal("1.50")), table("a", new BigDecimal("1.50"))));
        assertFalse(matches(table("a", new BigDecimal("1.5")), table("a", new BigDecimal("1.50"))));
        assertFalse(matches(table("a", new BigDecimal("1")), table("a", 1)));
        assertFalse(matches(table("a", new BigDecimal("1.5")), table("a", 1.5)));
    }

    @Test
    void aStringEqualsABinaryWithTheSameUtf8Bytes() {
        assertTrue(matches(table("a", "héllo"), table("a", "héllo".getBytes(StandardCharsets.UTF_8))));
        assertTrue(matches(table("a", new byte[] {1, 2}), table("a", new byte[] {1, 2})));
        assertFalse(matches(table("a", "hello"), table("a", "hellO".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void stringsAreComparedCaseSensitively() {
        assertFalse(matches(table("a", "Value"), table("a", "value")));
    }

    @Test
    void valuesOfDifferentKindsAreNeverEqual() {
        assertFalse(matches(table("a", "1"), table("a", 1)));
        assertFalse(matches(table("a", true), table("a", "true")));
        assertFalse(matches(table("a", true), table("a", 1)));
        assertTrue(matches(table("a", false), table("a", false)));
        assertFalse(matches(table("a", true), table("a", false)));
    }

    @Test
    void headerKeysAreComparedCaseSensitively() {
        assertFalse(matches(table("Key", 1), table("key", 1)));
    }

    @Test
    void aHeaderTimestampIsComparedInMillisecondsAndABindingTimestampInSeconds() {
        Date when = new Date(1_700_000_000_000L);
        assertFalse(matches(table("t", when), table("t", when)));
        assertTrue(matches(table("t", 1_700_000_000_000L), table("t", when)));
        assertTrue(matches(table("t", when), table("t", 1_700_000_000L)));
    }

    @Test
    void tablesAreEqualEntryByEntryInOrderWithTheSameTypes() {
        assertTrue(matches(table("a", table("x", 1, "y", "s")), table("a", table("x", 1, "y", "s"))));
        assertFalse(matches(table("a", table("x", 1, "y", "s")), table("a", table("y", "s", "x", 1))));
        assertFalse(matches(table("a", table("x", 1)), table("a", table("x", 1L))));
        assertFalse(matches(table("a", table("x", "s")), table("a", table("x", "s".getBytes(StandardCharsets.UTF_8)))));
        assertFalse(matches(table("a", table("x", 1)), table("a", table("x", 1, "y", 2))));
        Date when = new Date(1_700_000_000_000L);
        assertTrue(matches(table("a", table("t", when)), table("a", table("t", new Date(1_700_000_000_500L)))));
    }

    @Test
    void arraysAreEqualItemByItemWithTheSameTypes() {
        assertTrue(matches(table("a", List.of(1, "s", true)), table("a", new ArrayList<>(List.of(1, "s", true)))));
        assertFalse(matches(table("a", List.of(1, 2)), table("a", List.of(2, 1))));
        assertFalse(matches(table("a", List.of(1)), table("a", List.of(1L))));
        assertTrue(matches(table("a", List.of(List.of(1.5))), table("a", List.of(List.of(1.5)))));
    }

    @Test
    void theEmptyTableEqualsTheEmptyArrayAsInErlang() {
        assertTrue(matches(table("a", new HashMap<>()), table("a", List.of())));
        assertFalse(matches(table("a", table("x", 1)), table("a", List.of(1))));
    }

    // validate

    @Test
    void validateAcceptsAMissingXMatch() {
        assertNull(HeadersMatcher.validate(null));
        assertNull(HeadersMatcher.validate(table()));
        assertNull(HeadersMatcher.validate(table("a", 1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"all", "any", "all-with-x", "any-with-x"})
    void validateAcceptsTheFourModes(String mode) {
        assertNull(HeadersMatcher.validate(table("x-match", mode, "a", 1)));
    }

    @Test
    void validateRefusesAnUnknownMode() {
        assertEquals("Invalid x-match field value <<\"bogus\">>; expected all, any, all-with-x, or any-with-x",
                HeadersMatcher.validate(table("x-match", "bogus")));
        assertEquals("Invalid x-match field value <<\"ALL\">>; expected all, any, all-with-x, or any-with-x",
                HeadersMatcher.validate(table("x-match", "ALL")));
        assertEquals("Invalid x-match field value <<>>; expected all, any, all-with-x, or any-with-x",
                HeadersMatcher.validate(table("x-match", "")));
    }

    @Test
    void validateQuotesOddCharactersInAnUnknownModeAsErlangPrintsThem() {
        assertEquals("Invalid x-match field value <<\"a\\\"b\">>; expected all, any, all-with-x, or any-with-x",
                HeadersMatcher.validate(table("x-match", "a\"b")));
        assertEquals("Invalid x-match field value <<\"tout\">>; expected all, any, all-with-x, or any-with-x",
                HeadersMatcher.validate(table("x-match", "tout")));
        assertEquals("Invalid x-match field value <<\"é\"/utf8>>; expected all, any, all-with-x, or any-with-x",
                HeadersMatcher.validate(table("x-match", "é")));
    }

    @Test
    void validateRefusesAnXMatchThatIsNotALongString() {
        assertEquals("Invalid x-match field type byte (value 1); expected longstr",
                HeadersMatcher.validate(table("x-match", (byte) 1)));
        assertEquals("Invalid x-match field type signedint (value 7); expected longstr",
                HeadersMatcher.validate(table("x-match", 7)));
        assertEquals("Invalid x-match field type bool (value true); expected longstr",
                HeadersMatcher.validate(table("x-match", true)));
        assertEquals("Invalid x-match field type binary (value <<\"any\">>); expected longstr",
                HeadersMatcher.validate(table("x-match", "any".getBytes(StandardCharsets.UTF_8))));
        assertEquals("Invalid x-match field type binary (value <<0,255>>); expected longstr",
                HeadersMatcher.validate(table("x-match", new byte[] {0, (byte) 255})));
        assertEquals("Invalid x-match field type void (value undefined); expected longstr",
                HeadersMatcher.validate(table("x-match", null)));
        assertEquals("Invalid x-match field type decimal (value {2,150}); expected longstr",
                HeadersMatcher.validate(table("x-match", new BigDecimal("1.50"))));
        assertEquals("Invalid x-match field type table (value [{<<\"k\">>,long,5}]); expected longstr",
                HeadersMatcher.validate(table("x-match", table("k", 5L))));
    }
}
