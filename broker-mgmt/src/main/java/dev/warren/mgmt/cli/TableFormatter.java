package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * rabbitmqctl's default output: a listing is one tab-separated line per row, after a line of column names
 * (printed only when there is a row, as rabbitmqctl does); other results are plain lines.
 */
final class TableFormatter implements Formatter {

    @Override
    public void print(Result result, PrintStream out, boolean informational, boolean headers, String node) {
        if (result instanceof Result.Note n) {
            if (informational) {
                out.println(n.text());
            }
        } else if (result instanceof Result.Text t) {
            out.println(t.text());
        } else if (result instanceof Result.Document d) {
            out.print(d.text().endsWith("\n") ? d.text() : d.text() + "\n");
        } else if (result instanceof Result.Rows r) {
            printRows(r.rows(), out, headers);
        }
    }

    @Override
    public boolean showsBanner() {
        return true;
    }

    static void printRows(List<ObjectNode> rows, PrintStream out, boolean headers) {
        if (rows.isEmpty()) {
            return;
        }
        if (headers) {
            List<String> names = new ArrayList<>();
            rows.get(0).fieldNames().forEachRemaining(names::add);
            out.println(String.join("\t", names));
        }
        for (ObjectNode row : rows) {
            List<String> cells = new ArrayList<>();
            row.elements().forEachRemaining(v -> cells.add(Values.cell(v)));
            out.println(String.join("\t", cells));
        }
    }
}
