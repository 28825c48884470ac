package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** What a command produced, before it is formatted as a table or as JSON. */
sealed interface Result {

    /** Nothing to show: the operation was done. */
    record Done() implements Result {
    }

    /** A line of information ("Done. Don't forget ..."), left out with --quiet or --silent. */
    record Note(String text) implements Result {
    }

    /** Text that is the command's answer ("Success"): always printed. */
    record Text(String text) implements Result {
    }

    /** Rows of a listing, each holding the selected columns in order. */
    record Rows(List<ObjectNode> rows) implements Result {
    }

    /** A document (status, definitions): {@code text} for the table formatter, {@code json} for JSON. */
    record Document(String text, JsonNode json) implements Result {
    }

    static Result done() {
        return new Done();
    }
}
