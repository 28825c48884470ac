package dev.warren.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the consistent-hash exchange refuses, in the words RabbitMQ 3.10.8 answered with for the same input. */
class ConsistentHashRouterTest {
    @ParameterizedTest
    @ValueSource(strings = {"1", "+3", "007", "10000"})
    void acceptsAPositiveIntegerWeight(String key) {
        assertNull(ConsistentHashRouter.validateWeight(key));
    }

    // '' is the empty key; expected texts as RabbitMQ printed them (Erlang's ~p of the key's bytes)
    @ParameterizedTest(name = "key \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
        "abc| The binding key must be an integer: <<\"abc\">>",
        "''| The binding key must be an integer: <<>>",
        "' 5'| The binding key must be an integer: <<\" 5\">>",
        "1.5| The binding key must be an integer: <<\"1.5\">>",
        "+| The binding key must be an integer: <<\"+\">>",
        "1e3| The binding key must be an integer: <<\"1e3\">>",
        "é| The binding key must be an integer: <<\"é\">>",
        "٣| The binding key must be an integer: <<\"٣\">>",
        "ą| The binding key must be an integer: <<196,133>>",
        "a\"b\\c| The binding key must be an integer: <<\"a\\\"b\\\\c\">>",
        "0| The binding key must be greater than 0",
        "00| The binding key must be greater than 0",
        "-0| The binding key must be greater than 0",
        "-1| The binding key must be greater than 0",
        "-99999999999999999999| The binding key must be greater than 0",
        "10001| The binding key must be at most 10000",
        "99999999999999999999| The binding key must be at most 10000",
    })
    void refusesAKeyThatIsNotAPositiveInteger(String key, String expected) {
        assertEquals(expected.strip(), ConsistentHashRouter.validateWeight(key));
    }

    @Test
    void escapesControlCharactersOrFallsBackToBytesAsErlangPrintsThem() {
        assertEquals("The binding key must be an integer: <<\"é\\n\">>", ConsistentHashRouter.validateWeight("é\n"));
        assertEquals("The binding key must be an integer: <<120,1>>", ConsistentHashRouter.validateWeight("x\u0001"));
        assertEquals("The binding key must be an integer: <<127>>", ConsistentHashRouter.validateWeight("\u007f"));
    }

    @Test
    void checksTheHashArgumentsAsThePluginDoes() {
        assertNull(ConsistentHashRouter.validateArguments(Map.of()));
        assertNull(ConsistentHashRouter.validateArguments(Map.of("hash-header", "h")));
        for (String property : new String[] {"message_id", "correlation_id", "timestamp"}) {
            assertNull(ConsistentHashRouter.validateArguments(Map.of("hash-property", property)));
        }
        assertEquals("Unsupported property: app_id", ConsistentHashRouter.validateArguments(Map.of("hash-property", "app_id")));
        assertEquals("hash-header and hash-property are mutually exclusive",
                ConsistentHashRouter.validateArguments(Map.of("hash-header", "h", "hash-property", "message_id")));
        assertEquals("hash-header and hash-property are mutually exclusive",
                ConsistentHashRouter.validateArguments(Map.of("hash-header", "h", "hash-property", "nope")));
    }

    @Test
    void refusesHashArgumentsThatAreNotStringsWhereRabbitMqFailsInternally() {
        assertEquals("Invalid hash-header field type signedint (value 5); expected longstr",
                ConsistentHashRouter.validateArguments(Map.of("hash-header", 5)));
        assertEquals("Invalid hash-property field type binary (value <<\"message_id\">>); expected longstr",
                ConsistentHashRouter.validateArguments(Map.of("hash-property", "message_id".getBytes())));
    }
}
