package dev.warren.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import dev.warren.core.store.BrokerDefinitions;
import dev.warren.core.store.DefinitionStore;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.SecurityDefinitions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Durable definitions in one JSON file, in RabbitMQ's definitions format (users, vhosts, permissions,
 * exchanges, queues, bindings), so it reads like an export. Each save writes a temporary file, forces it
 * and renames it over the old one: a crash leaves either the old file or the new one, never half of one.
 */
public final class DefinitionsFile implements DefinitionStore {
    public static final String FILE_NAME = "definitions.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Map<String, Definitions> byVhost = new TreeMap<>();
    /** Null until users are first saved: a file without them is a first start. */
    private SecurityDefinitions security;

    private DefinitionsFile(Path file) {
        this.file = file;
    }

    /** Opens (and reads) the definitions file in the directory; a missing file means no definitions. */
    public static DefinitionsFile open(Path directory) throws IOException {
        Files.createDirectories(directory);
        DefinitionsFile definitions = new DefinitionsFile(directory.resolve(FILE_NAME));
        if (Files.exists(definitions.file)) {
            BrokerDefinitions stored;
            try {
                stored = DefinitionsJson.read(JSON.readTree(definitions.file.toFile()));
            } catch (IllegalArgumentException e) {
                throw new IOException(definitions.file + ": " + e.getMessage(), e);
            }
            definitions.byVhost.putAll(stored.vhosts());
            definitions.security = stored.security().orElse(null);
        }
        return definitions;
    }

    /** The stored definitions by virtual host name. */
    public synchronized Map<String, Definitions> load() {
        return new LinkedHashMap<>(byVhost);
    }

    /** The stored users and permissions; empty before the first start saved them. */
    public synchronized Optional<SecurityDefinitions> loadSecurity() {
        return Optional.ofNullable(security);
    }

    @Override
    public synchronized void save(String vhost, Definitions definitions) {
        byVhost.put(vhost, definitions);
        write();
    }

    @Override
    public synchronized void deleteVhost(String vhost) {
        if (byVhost.remove(vhost) != null) {
            write();
        }
    }

    @Override
    public synchronized void saveSecurity(List<User> users, List<UserPermission> permissions) {
        security = new SecurityDefinitions(List.copyOf(users), List.copyOf(permissions));
        write();
    }

    private void write() {
        try {
            writeFile(JSON.writeValueAsBytes(DefinitionsJson.write(
                    new BrokerDefinitions(byVhost, Optional.ofNullable(security)))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save definitions to " + file, e);
        }
    }

    private void writeFile(byte[] bytes) throws IOException {
        Path temporary = file.resolveSibling(FILE_NAME + ".tmp");
        Files.deleteIfExists(temporary); // a leftover could have other permissions; CREATE_NEW sets ours
        try (FileChannel out = FileChannel.open(temporary,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly())) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(file.getParent());
    }

    /** The file holds password hashes: readable by the broker's user only, where the file system has owners. */
    private static FileAttribute<?>[] ownerOnly() {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
    }

    private static void forceDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be forced; the rename is still atomic
        }
    }
}
