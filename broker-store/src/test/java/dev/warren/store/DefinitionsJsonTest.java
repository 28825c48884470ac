package dev.warren.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warren.core.auth.PasswordHash;
import dev.warren.core.auth.Permission;
import dev.warren.core.auth.TopicPermission;
import dev.warren.core.auth.User;
import dev.warren.core.auth.UserPermission;
import dev.warren.core.store.BrokerDefinitions;
import dev.warren.core.store.Definitions;
import dev.warren.core.store.SecurityDefinitions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefinitionsJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The shape of a RabbitMQ 3.x export: tags as a comma-separated string, a non-durable queue. */
    private static final String RABBITMQ_EXPORT = """
            {"rabbit_version": "3.10.8",
             "users": [{"name": "alex", "password_hash": "%s",
                        "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": "administrator,monitoring"}],
             "vhosts": [{"name": "/"}, {"name": "shop"}],
             "permissions": [{"user": "alex", "vhost": "shop", "configure": "^alex-", "write": ".*", "read": ".*"}],
             "exchanges": [{"name": "orders", "vhost": "shop", "type": "topic", "durable": true, "auto_delete": false,
                            "internal": false, "arguments": {}}],
             "queues": [{"name": "kept", "vhost": "shop", "durable": true, "auto_delete": false,
                         "arguments": {"x-max-length": 10}},
                        {"name": "transient", "vhost": "shop", "durable": false, "auto_delete": false, "arguments": {}}],
             "bindings": [{"source": "orders", "vhost": "shop", "destination": "kept", "destination_type": "queue",
                           "routing_key": "eu.#", "arguments": {}}]}
            """;

    @Test
    void readsARabbitMqExportKeepingThePasswordHash() throws Exception {
        String hash = PasswordHash.hash("123");
        BrokerDefinitions d = DefinitionsJson.read(JSON.readTree(RABBITMQ_EXPORT.formatted(hash)));
        User alex = d.security().orElseThrow().users().get(0);
        assertEquals(hash, alex.passwordHash());
        assertTrue(PasswordHash.matches(alex.passwordHash(), "123"));
        assertEquals(Set.of("administrator", "monitoring"), alex.tags());
        assertEquals(new Permission("^alex-", ".*", ".*"), d.security().orElseThrow().permissions().get(0).permission());
        Definitions shop = d.vhosts().get("shop");
        assertEquals(List.of("kept"), shop.queues().stream().map(Definitions.QueueDefinition::name).toList(),
                "only durable queues are definitions");
        assertEquals(10, ((Number) shop.queues().get(0).arguments().get("x-max-length")).intValue());
        assertEquals("eu.#", shop.bindings().get(0).routingKey());
        assertTrue(d.vhosts().containsKey("/"));
    }

    @Test
    void aDocumentWithoutUsersHasNoSecuritySection() throws Exception {
        BrokerDefinitions d = DefinitionsJson.read(JSON.readTree("{\"vhosts\": [{\"name\": \"/\"}]}"));
        assertFalse(d.security().isPresent());
    }

    @Test
    void anUnsupportedHashingAlgorithmIsRefusedByName() throws Exception {
        String export = """
                {"users": [{"name": "old", "password_hash": "x", "hashing_algorithm": "rabbit_password_hashing_md5"}]}""";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DefinitionsJson.read(JSON.readTree(export)));
        assertTrue(e.getMessage().contains("rabbit_password_hashing_md5"), e.getMessage());
    }

    @Test
    void whatIsWrittenReadsBackTheSame() {
        User user = new User("alex", PasswordHash.hash("pw"), Set.of("management"));
        UserPermission permission = new UserPermission("alex", "/", new Permission("a", "b", "c"));
        Definitions slash = new Definitions(
                List.of(new Definitions.ExchangeDefinition("x", "fanout", false, false, Map.of())),
                List.of(new Definitions.QueueDefinition("q", false, Map.of())),
                List.of(new Definitions.BindingDefinition("x", "q", "queue", "", Map.of())));
        BrokerDefinitions written = new BrokerDefinitions(Map.of("/", slash),
                Optional.of(new SecurityDefinitions(List.of(user), List.of(permission),
                        List.of(TopicPermission.of("alex", "/", "amq.topic", "^{username}\\.", "^public\\.")))));
        assertEquals(written, DefinitionsJson.read(DefinitionsJson.write(written)));
    }

    @Test
    void theDefinitionsFileKeepsUsersAndForgetsDeletedVirtualHosts(@TempDir Path dir) throws Exception {
        DefinitionsFile file = DefinitionsFile.open(dir);
        assertFalse(file.loadSecurity().isPresent(), "a new file means a first start");
        file.save("/", Definitions.EMPTY);
        file.save("gone", Definitions.EMPTY);
        file.saveSecurity(new SecurityDefinitions(List.of(new User("alex", PasswordHash.hash("pw"), Set.of())), List.of()));
        file.deleteVhost("gone").get(10, java.util.concurrent.TimeUnit.SECONDS); // covers the changes before it
        DefinitionsFile reopened = DefinitionsFile.open(dir);
        assertEquals(Set.of("/"), reopened.load().keySet());
        assertEquals("alex", reopened.loadSecurity().orElseThrow().users().get(0).name());
    }

    @Test
    void theDefinitionsFileIsReadableByItsOwnerOnly(@TempDir Path dir) throws Exception {
        DefinitionsFile file = DefinitionsFile.open(dir);
        file.saveSecurity(new SecurityDefinitions(List.of(new User("alex", PasswordHash.hash("pw"), Set.of())), List.of()))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(DefinitionsFile.FILE_NAME))), "it holds password hashes");
    }
}
