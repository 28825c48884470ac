package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OutputFormatTest {

    private static ObjectNode row(Object... keyValues) {
        ObjectNode row = NodeClient.JSON.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            row.set((String) keyValues[i], NodeClient.JSON.valueToTree(keyValues[i + 1]));
        }
        return row;
    }

    private static String print(Formatter formatter, Result result, boolean informational, boolean headers) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        formatter.print(result, new PrintStream(bytes, true, StandardCharsets.UTF_8), informational, headers, "http://n:15672");
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void tableIsTabSeparatedAfterAHeaderLine() {
        Result rows = new Result.Rows(List.of(row("name", "q1", "messages", 3), row("name", "q2", "messages", 0)));
        assertEquals("name\tmessages\nq1\t3\nq2\t0\n", print(new TableFormatter(), rows, true, true));
    }

    @Test
    void tableWithoutHeadersHasOnlyRows() {
        Result rows = new Result.Rows(List.of(row("name", "q1", "messages", 3)));
        assertEquals("q1\t3\n", print(new TableFormatter(), rows, true, false));
    }

    @Test
    void anEmptyTablePrintsNothingNotEvenAHeader() {
        assertEquals("", print(new TableFormatter(), new Result.Rows(List.of()), true, true));
    }

    @Test
    void listsAndTablesLookAsRabbitmqctlPrintsThem() {
        JsonNode tags = NodeClient.JSON.valueToTree(List.of("administrator", "monitoring"));
        assertEquals("[administrator, monitoring]", Values.cell(tags));
        assertEquals("[]", Values.cell(NodeClient.JSON.createArrayNode()));
        ObjectNode arguments = NodeClient.JSON.createObjectNode().put("x-max-length", 10).put("x-queue-mode", "lazy");
        assertEquals("[{\"x-max-length\",10},{\"x-queue-mode\",\"lazy\"}]", Values.cell(arguments));
        assertEquals("[]", Values.cell(NodeClient.JSON.createObjectNode()));
        assertEquals("true", Values.cell(NodeClient.JSON.getNodeFactory().booleanNode(true)));
        assertEquals("", Values.cell(NodeClient.JSON.nullNode()));
    }

    @Test
    void jsonIsAnArrayOfObjectsKeyedByColumn() throws Exception {
        Result rows = new Result.Rows(List.of(row("user", "alex", "tags", List.of("administrator"))));
        JsonNode printed = NodeClient.JSON.readTree(print(new JsonFormatter(), rows, true, true));
        assertEquals(NodeClient.JSON.readTree("[{\"user\":\"alex\",\"tags\":[\"administrator\"]}]"), printed);
    }

    @Test
    void jsonOfAnEmptyListingIsAnEmptyArray() throws Exception {
        JsonNode printed = NodeClient.JSON.readTree(print(new JsonFormatter(), new Result.Rows(List.of()), true, true));
        assertEquals(NodeClient.JSON.createArrayNode(), printed);
    }

    @Test
    void jsonOfADoneOperationSaysOkAndNamesTheNode() throws Exception {
        JsonNode printed = NodeClient.JSON.readTree(print(new JsonFormatter(), Result.done(), true, true));
        assertEquals("ok", printed.path("result").asText());
        assertEquals("http://n:15672", printed.path("node").asText());
    }

    @Test
    void notesAreLeftOutWhenQuietButAnswersAreNot() {
        assertEquals("", print(new TableFormatter(), new Result.Note("Done."), false, true));
        assertEquals("Done.\n", print(new TableFormatter(), new Result.Note("Done."), true, true));
        assertEquals("Success\n", print(new TableFormatter(), new Result.Text("Success"), false, true));
    }

    @Test
    void columnsNamedOnTheCommandLineAreKeptInOrderAndUnknownOnesRefused() {
        Columns columns = Commands.find("list_queues").orElseThrow().columns();
        assertEquals(List.of("name", "messages"), columns.select(List.of()));
        assertEquals(List.of("consumers", "name", "messages_ready"), columns.select(List.of("consumers", "name,messages_ready")));
        CliException e = org.junit.jupiter.api.Assertions.assertThrows(CliException.class,
                () -> columns.select(List.of("name", "slave_pids")));
        assertEquals(ExitCodes.USAGE, e.exitCode());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("slave_pids"), e.getMessage());
    }
}
