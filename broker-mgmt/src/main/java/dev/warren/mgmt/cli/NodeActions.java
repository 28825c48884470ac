package dev.warren.mgmt.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** status, export_definitions and import_definitions. */
final class NodeActions {
    private NodeActions() {
    }

    static Result status(Call call) {
        JsonNode overview = NodeClient.require(call.node().get("/api/overview")).body();
        return new Result.Document(StatusReport.text(overview), overview);
    }

    static Result stopApp(Call call) {
        NodeClient.require(call.node().post("/api/warren/stop_app", NodeClient.JSON.createObjectNode()));
        return Result.done();
    }

    static Result startApp(Call call) {
        NodeClient.require(call.node().post("/api/warren/start_app", NodeClient.JSON.createObjectNode()));
        return Result.done();
    }

    static String statusBanner(Call call) {
        return "Status of node " + call.node().node() + " ...";
    }

    /** Writes the node's definitions (RabbitMQ's JSON format) to the file, or to stdout for "-". */
    static Result exportDefinitions(Call call) {
        String file = call.arg(0);
        Path path = null;
        if (!file.equals("-")) {
            path = Path.of(file).toAbsolutePath();
            Path dir = path.getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                throw Failures.badArgument("Directory " + dir + " does not exist");
            }
        }
        JsonNode definitions = NodeClient.require(call.node().get("/api/definitions")).body();
        String json = pretty(definitions);
        if (path == null) {
            return new Result.Document(json, definitions);
        }
        try {
            Files.writeString(path, json + "\n", StandardCharsets.UTF_8);
        } catch (AccessDeniedException e) {
            throw CliException.error(ExitCodes.DATAERR, "No permissions to write to file " + file + " or its parent directory");
        } catch (IOException e) {
            throw CliException.error(ExitCodes.DATAERR, "Could not write to file " + file + ": " + e.getMessage());
        }
        return Result.done();
    }

    static String exportBanner(Call call) {
        String file = call.arg(0);
        return file.equals("-") ? null : "Exporting definitions in JSON to a file at \"" + file + "\" ...";
    }

    /** Imports definitions from the file, or from stdin when the file is "-" or not given. */
    static Result importDefinitions(Call call) {
        boolean stdin = call.args().isEmpty() || call.arg(0).equals("-");
        String text;
        if (stdin) {
            text = call.readStdin();
        } else {
            text = readFile(call.arg(0));
        }
        JsonNode definitions;
        try {
            definitions = NodeClient.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw CliException.error(ExitCodes.DATAERR, "Failed to deserialise input (format: JSON) (error: "
                    + e.getOriginalMessage() + ")");
        }
        if (definitions == null || !definitions.isObject()) {
            throw CliException.error(ExitCodes.DATAERR, "Failed to deserialise input (format: JSON) (error: not a JSON object)");
        }
        NodeClient.require(call.node().post("/api/definitions", definitions));
        return stdin ? Result.done() : new Result.Note("Successfully imported definitions.");
    }

    static String importBanner(Call call) {
        if (call.args().isEmpty()) {
            return "Importing definitions in JSON from standard input ...";
        }
        String file = call.arg(0);
        return file.equals("-") ? null : "Importing definitions in JSON from a file at \"" + file + "\" ...";
    }

    private static String readFile(String file) {
        Path path = Path.of(file);
        if (!Files.exists(path)) {
            throw Failures.badArgument("File " + file + " does not exist");
        }
        try {
            String text = Files.readString(path, StandardCharsets.UTF_8);
            if (text.isEmpty()) {
                throw CliException.error(ExitCodes.DATAERR, "File " + file + " is zero-sized");
            }
            return text;
        } catch (NoSuchFileException e) {
            throw Failures.badArgument("File " + file + " does not exist");
        } catch (AccessDeniedException e) {
            throw CliException.error(ExitCodes.DATAERR, "No permissions to read from file " + file + " or its parent directory");
        } catch (IOException e) {
            throw CliException.error(ExitCodes.DATAERR, "Could not read from file " + file + ": " + e.getMessage());
        }
    }

    private static String pretty(JsonNode json) {
        try {
            return NodeClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
