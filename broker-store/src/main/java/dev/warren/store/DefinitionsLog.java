package dev.warren.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.store.BrokerDefinitions;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.SecurityDefinitions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The records of the definitions change log ({@value #FILE_NAME}, beside the definitions.json snapshot): one
 * JSON object per line, each with a sequence number that only grows. A virtual host's change names what it
 * removes and what it puts, both as a small document in RabbitMQ's definitions format holding only those
 * items (with its {@code "limits": true} the put's limits replace the vhost's):
 * <pre>{"seq":7,"vhost":"/","remove":{"queues":[...]},"put":{"queues":[...],"bindings":[...]}}
 * {"seq":8,"vhost":"old","delete_vhost":true}
 * {"seq":9,"security":{"users":[...],"permissions":[...],"topic_permissions":[...]}}</pre>
 * A crash in the middle of an append leaves a last line without its newline: {@link #read} reports it as torn
 * and leaves it out; the changes it held were never reported durable.
 */
final class DefinitionsLog {
    static final String FILE_NAME = "definitions.log";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DefinitionsLog() {
    }

    sealed interface Entry {
        long seq();
    }

    record VhostChanged(long seq, String vhost, StoredVhost.Change change) implements Entry {
    }

    record VhostDeleted(long seq, String vhost) implements Entry {
    }

    record SecurityChanged(long seq, SecurityDefinitions security) implements Entry {
    }

    /** The entries of a log file, the length of its complete lines, and whether a torn last line followed. */
    record Contents(List<Entry> entries, long completeBytes, boolean torn) {
    }

    /** One line, newline included. */
    static byte[] encode(Entry entry) {
        ObjectNode line = JSON.createObjectNode().put("seq", entry.seq());
        if (entry instanceof VhostChanged c) {
            line.put("vhost", c.vhost());
            if (c.change().limitsChanged()) {
                line.put("limits", true);
            }
            ObjectNode removed = items(c.vhost(), c.change().removed());
            if (!removed.isEmpty()) {
                line.set("remove", removed);
            }
            line.set("put", items(c.vhost(), c.change().put()));
        } else if (entry instanceof VhostDeleted d) {
            line.put("vhost", d.vhost()).put("delete_vhost", true);
        } else {
            ObjectNode security = DefinitionsJson.write(
                    new BrokerDefinitions(Map.of(), Optional.of(((SecurityChanged) entry).security())));
            security.remove(List.of("product_name", "vhosts", "exchanges", "queues", "bindings", "parameters", "policies"));
            line.set("security", security);
        }
        try {
            byte[] json = JSON.writeValueAsBytes(line); // JSON escapes newlines inside strings: one line
            byte[] withNewline = java.util.Arrays.copyOf(json, json.length + 1);
            withNewline[json.length] = '\n';
            return withNewline;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a definitions log entry", e);
        }
    }

    /**
     * One line (without its newline).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static Entry decode(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject() || !node.path("seq").canConvertToLong()) {
            throw new IllegalArgumentException("not a definitions log entry (an object with a \"seq\")");
        }
        long seq = node.path("seq").asLong();
        if (node.has("security")) {
            return new SecurityChanged(seq, DefinitionsJson.read(node.get("security")).security()
                    .orElseThrow(() -> new IllegalArgumentException("security without users")));
        }
        if (!node.path("vhost").isTextual()) {
            throw new IllegalArgumentException("entry " + seq + " names no vhost");
        }
        String vhost = node.get("vhost").asText();
        if (node.path("delete_vhost").asBoolean(false)) {
            return new VhostDeleted(seq, vhost);
        }
        return new VhostChanged(seq, vhost, new StoredVhost.Change(items(vhost, node.path("put")),
                items(vhost, node.path("remove")), node.path("limits").asBoolean(false)));
    }

    /**
     * The entries of a log file, in order.
     *
     * @throws IOException naming the file and the line when a complete line is not a valid entry
     */
    static Contents read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<Entry> entries = new ArrayList<>();
        int start = 0;
        int lineNumber = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            lineNumber++;
            String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
            start = i + 1;
            if (line.isBlank()) {
                continue;
            }
            try {
                entries.add(decode(line));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + lineNumber + ": " + e.getMessage(), e);
            }
        }
        return new Contents(entries, start, start < bytes.length);
    }

    /** The items of a change as a definitions document without the empty sections. */
    private static ObjectNode items(String vhost, Definitions items) {
        ObjectNode document = DefinitionsJson.write(new BrokerDefinitions(Map.of(vhost, items), Optional.empty()));
        document.remove(List.of("product_name", "vhosts"));
        for (Iterator<Map.Entry<String, JsonNode>> fields = document.fields(); fields.hasNext(); ) {
            if (fields.next().getValue().isEmpty()) {
                fields.remove();
            }
        }
        return document;
    }

    private static Definitions items(String vhost, JsonNode document) {
        if (document.isMissingNode() || document.isNull()) {
            return Definitions.EMPTY;
        }
        if (!document.isObject()) {
            throw new IllegalArgumentException("vhost '" + vhost + "': put and remove must be objects");
        }
        return DefinitionsJson.read(document).vhosts().getOrDefault(vhost, Definitions.EMPTY);
    }
}
