package dev.warren.mgmt.rates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RangeTest {
    @Test
    void readsAgeAndIncrementInSeconds() {
        assertEquals(new Range(600_000, 5_000), Range.parse("msg_rates", "600", "5"));
    }

    @Test
    void neitherParameterMeansNoRange() {
        assertNull(Range.parse("lengths", null, null));
    }

    @Test
    void refusesOneWithoutTheOtherAndValuesThatAreNotPositiveWholeSeconds() {
        assertThrows(IllegalArgumentException.class, () -> Range.parse("msg_rates", "60", null));
        assertThrows(IllegalArgumentException.class, () -> Range.parse("msg_rates", null, "5"));
        assertThrows(IllegalArgumentException.class, () -> Range.parse("msg_rates", "0", "5"));
        assertThrows(IllegalArgumentException.class, () -> Range.parse("msg_rates", "60", "-5"));
        assertThrows(IllegalArgumentException.class, () -> Range.parse("msg_rates", "sixty", "5"));
        assertThrows(IllegalArgumentException.class, () -> Range.parse("msg_rates", "1.5", "5"));
    }
}
