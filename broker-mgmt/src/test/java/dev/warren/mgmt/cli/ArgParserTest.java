package dev.warren.mgmt.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgParserTest {

    @Test
    void optionsMayComeBeforeOrAfterTheCommand() {
        Invocation inv = ArgParser.parse(new String[]{"-q", "set_permissions", "-p", "/dev", "alex", ".*", ".*", ".*", "--formatter", "json"});
        assertEquals("set_permissions", inv.command());
        assertEquals(List.of("alex", ".*", ".*", ".*"), inv.args());
        assertEquals("/dev", inv.value(Option.VHOST).orElseThrow());
        assertEquals("json", inv.value(Option.FORMATTER).orElseThrow());
        assertTrue(inv.has(Option.QUIET));
    }

    @Test
    void longOptionsTakeTheirValueAfterAnEqualsSign() {
        Invocation inv = ArgParser.parse(new String[]{"list_queues", "--vhost=/", "--formatter=json", "name"});
        assertEquals("/", inv.value(Option.VHOST).orElseThrow());
        assertEquals("json", inv.value(Option.FORMATTER).orElseThrow());
        assertEquals(List.of("name"), inv.args());
    }

    @Test
    void aLoneDashIsAnArgumentAndDoubleDashEndsOptions() {
        Invocation inv = ArgParser.parse(new String[]{"export_definitions", "-"});
        assertEquals(List.of("-"), inv.args());
        Invocation password = ArgParser.parse(new String[]{"add_user", "--", "alex", "-secret-"});
        assertEquals(List.of("alex", "-secret-"), password.args());
        assertTrue(password.unknownOptions().isEmpty());
    }

    @Test
    void unknownOptionsAreCollectedNotTakenAsArguments() {
        Invocation inv = ArgParser.parse(new String[]{"list_users", "--frobnicate", "-z"});
        assertEquals(List.of("--frobnicate", "-z"), inv.unknownOptions());
        assertTrue(inv.args().isEmpty());
    }

    @Test
    void anOptionMissingItsValueIsAUsageError() {
        CliException e = assertThrows(CliException.class, () -> ArgParser.parse(new String[]{"list_queues", "-p"}));
        assertEquals(ExitCodes.USAGE, e.exitCode());
    }

    @Test
    void aFlagGivenAValueIsAUsageError() {
        CliException e = assertThrows(CliException.class, () -> ArgParser.parse(new String[]{"status", "--quiet=yes"}));
        assertEquals(ExitCodes.USAGE, e.exitCode());
    }

    @Test
    void noPositionalWordsMeansNoCommand() {
        assertNull(ArgParser.parse(new String[]{"--help"}).command());
    }
}
