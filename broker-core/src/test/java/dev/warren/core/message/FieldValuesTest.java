package dev.warren.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldValuesTest {
    @Test
    void numbersOfDifferentIntegerTypesAreEquivalentByValue() {
        assertTrue(FieldValues.equivalent(60000, 60000L));
        assertTrue(FieldValues.equivalent((short) 5, (byte) 5));
        assertFalse(FieldValues.equivalent(1, 2L));
    }

    @Test
    void decimalsCompareByValueWhateverTheirScale() {
        assertTrue(FieldValues.equivalent(new BigDecimal("1.50"), new BigDecimal("1.5")));
    }

    @Test
    void byteArraysArraysAndTablesCompareByContent() {
        assertTrue(FieldValues.equivalent(new byte[] {1, 2}, new byte[] {1, 2}));
        assertFalse(FieldValues.equivalent(new byte[] {1, 2}, new byte[] {2, 1}));
        assertTrue(FieldValues.equivalent(List.of(1, new byte[] {3}), List.of(1L, new byte[] {3})));
        assertTrue(FieldValues.equivalent(Map.of("k", List.of("a")), Map.of("k", List.of("a"))));
        assertFalse(FieldValues.equivalent(Map.of("k", 1), Map.of("j", 1)));
    }

    @Test
    void voidIsEquivalentOnlyToVoidAndValuesOfUnrelatedTypesAreNotEquivalent() {
        assertTrue(FieldValues.equivalent(null, null));
        assertFalse(FieldValues.equivalent(null, 0));
        assertFalse(FieldValues.equivalent("1", 1));
        assertFalse(FieldValues.equivalent(new Date(0), 0L));
        assertTrue(FieldValues.equivalent(Arrays.asList(1, null), Arrays.asList(1L, null)));
        assertTrue(FieldValues.equivalent(Collections.singletonMap("v", null), Collections.singletonMap("v", null)));
    }

    @Test
    void showsValuesReadably() {
        assertEquals("none", FieldValues.show(null));
        assertEquals("'[1, 2]'", FieldValues.show(new byte[] {1, 2}));
        assertEquals("'60000'", FieldValues.show(60000));
    }
}
