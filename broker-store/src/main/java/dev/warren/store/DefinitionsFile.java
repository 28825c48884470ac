package dev.warren.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.store.DefinitionStore;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.Definitions.BindingDefinition;
import dev.warren.core.store.Definitions.ExchangeDefinition;
import dev.warren.core.store.Definitions.QueueDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Durable definitions in one JSON file, in RabbitMQ's definitions format (vhosts, exchanges, queues,
 * bindings), so it reads like an export. Each save writes a temporary file, forces it and renames it over
 * the old one: a crash leaves either the old file or the new one, never half of one.
 */
public final class DefinitionsFile implements DefinitionStore {
    public static final String FILE_NAME = "definitions.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Map<String, Definitions> byVhost = new TreeMap<>();

    private DefinitionsFile(Path file) {
        this.file = file;
    }

    /** Opens (and reads) the definitions file in the directory; a missing file means no definitions. */
    public static DefinitionsFile open(Path directory) throws IOException {
        Files.createDirectories(directory);
        DefinitionsFile definitions = new DefinitionsFile(directory.resolve(FILE_NAME));
        if (Files.exists(definitions.file)) {
            definitions.read(JSON.readTree(definitions.file.toFile()));
        }
        return definitions;
    }

    /** The stored definitions by virtual host name. */
    public synchronized Map<String, Definitions> load() {
        return new LinkedHashMap<>(byVhost);
    }

    @Override
    public synchronized void save(String vhost, Definitions definitions) {
        byVhost.put(vhost, definitions);
        try {
            write();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save definitions to " + file, e);
        }
    }

    private void write() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("product_name", "Warren");
        ArrayNode vhosts = root.putArray("vhosts");
        ArrayNode exchanges = root.putArray("exchanges");
        ArrayNode queues = root.putArray("queues");
        ArrayNode bindings = root.putArray("bindings");
        byVhost.forEach((vhost, d) -> {
            vhosts.addObject().put("name", vhost);
            for (ExchangeDefinition e : d.exchanges()) {
                ObjectNode n = exchanges.addObject().put("name", e.name()).put("vhost", vhost).put("type", e.type())
                        .put("durable", true).put("auto_delete", e.autoDelete()).put("internal", e.internal());
                n.set("arguments", JSON.valueToTree(e.arguments()));
            }
            for (QueueDefinition q : d.queues()) {
                ObjectNode n = queues.addObject().put("name", q.name()).put("vhost", vhost).put("durable", true)
                        .put("auto_delete", q.autoDelete());
                n.set("arguments", JSON.valueToTree(q.arguments()));
            }
            for (BindingDefinition b : d.bindings()) {
                ObjectNode n = bindings.addObject().put("source", b.source()).put("vhost", vhost)
                        .put("destination", b.destination()).put("destination_type", b.destinationType())
                        .put("routing_key", b.routingKey());
                n.set("arguments", JSON.valueToTree(b.arguments()));
            }
        });
        Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
        byte[] bytes = JSON.writeValueAsBytes(root);
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(file.getParent());
    }

    private static void forceDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be forced; the rename is still atomic
        }
    }

    private void read(JsonNode root) {
        Map<String, List<ExchangeDefinition>> exchanges = new LinkedHashMap<>();
        Map<String, List<QueueDefinition>> queues = new LinkedHashMap<>();
        Map<String, List<BindingDefinition>> bindings = new LinkedHashMap<>();
        for (JsonNode v : root.path("vhosts")) {
            exchanges.put(v.path("name").asText(), new ArrayList<>());
        }
        for (JsonNode e : root.path("exchanges")) {
            exchanges.computeIfAbsent(e.path("vhost").asText("/"), k -> new ArrayList<>()).add(new ExchangeDefinition(
                    e.path("name").asText(), e.path("type").asText(), e.path("auto_delete").asBoolean(),
                    e.path("internal").asBoolean(), arguments(e)));
        }
        for (JsonNode q : root.path("queues")) {
            queues.computeIfAbsent(q.path("vhost").asText("/"), k -> new ArrayList<>()).add(new QueueDefinition(
                    q.path("name").asText(), q.path("auto_delete").asBoolean(), arguments(q)));
        }
        for (JsonNode b : root.path("bindings")) {
            bindings.computeIfAbsent(b.path("vhost").asText("/"), k -> new ArrayList<>()).add(new BindingDefinition(
                    b.path("source").asText(), b.path("destination").asText(), b.path("destination_type").asText("queue"),
                    b.path("routing_key").asText(), arguments(b)));
        }
        Set<String> names = new LinkedHashSet<>(exchanges.keySet());
        names.addAll(queues.keySet());
        names.addAll(bindings.keySet());
        for (String vhost : names) {
            byVhost.put(vhost, new Definitions(exchanges.getOrDefault(vhost, List.of()),
                    queues.getOrDefault(vhost, List.of()), bindings.getOrDefault(vhost, List.of())));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> arguments(JsonNode node) {
        JsonNode arguments = node.path("arguments");
        return arguments.isObject() ? JSON.convertValue(arguments, Map.class) : Map.of();
    }
}
