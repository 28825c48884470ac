package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.NetworkConnection;
import dev.warren.core.store.MemoryAlarm;
import dev.warren.mgmt.http.ManagementFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command against a real node: broker, AMQP and the management API, reached as the local node. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WarrenctlAgainstNodeTest {
    private static ManagementFixture node;
    private static Map<String, String> env;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        node = ManagementFixture.start();
        env = Map.of("WARREN_DATA_DIR", node.dataDir().toString());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static CliRun ok(String... args) {
        CliRun run = CliRun.run(env, args);
        assertEquals(0, run.exit(), run.toString());
        return run;
    }

    private static CliRun fails(int exit, String... args) {
        CliRun run = CliRun.run(env, args);
        assertEquals(exit, run.exit(), run.toString());
        return run;
    }

    private static JsonNode json(CliRun run) throws Exception {
        return NodeClient.JSON.readTree(run.out());
    }

    private static Connection connect() throws Exception {
        return node.connectionFactory("guest", "guest").newConnection();
    }

    // ---- users ----

    @Test
    void listUsersPrintsATabSeparatedTableWithTagsInBrackets() {
        CliRun run = ok("list_users");
        assertTrue(run.out().startsWith("Listing users ...\nuser\ttags\n"), run.toString());
        assertTrue(run.out().contains("guest\t[administrator]\n"), run.toString());
    }

    @Test
    void quietLeavesOutTheBannerButNotTheHeaderAndSilentLeavesOutBoth() {
        CliRun quiet = ok("-q", "list_users");
        assertTrue(quiet.out().startsWith("user\ttags\n"), quiet.toString());
        CliRun silent = ok("--silent", "list_users");
        assertFalse(silent.out().contains("user\ttags"), silent.toString());
        assertTrue(silent.out().contains("guest\t[administrator]\n"), silent.toString());
        CliRun noHeaders = ok("list_users", "--quiet", "--no-table-headers");
        assertFalse(noHeaders.out().contains("user\ttags"), noHeaders.toString());
    }

    @Test
    void jsonFormatterPrintsAnArrayOfObjectsAndNoBanner() throws Exception {
        JsonNode users = json(ok("list_users", "--formatter", "json"));
        assertTrue(users.isArray(), users.toString());
        boolean sawGuest = false;
        for (JsonNode user : users) {
            if (user.path("user").asText().equals("guest")) {
                sawGuest = true;
                assertEquals("administrator", user.path("tags").get(0).asText(), user.toString());
            }
        }
        assertTrue(sawGuest, users.toString());
        JsonNode done = json(ok("--formatter=json", "add_vhost", "json-vhost"));
        assertEquals("ok", done.path("result").asText(), done.toString());
    }

    @Test
    void addingAUserWhoExistsFailsWith70() {
        CliRun run = fails(ExitCodes.SOFTWARE, "add_user", "guest", "x");
        assertTrue(run.err().contains("User \"guest\" already exists"), run.toString());
        assertEquals("Adding user \"guest\" ...\n", run.out());
    }

    @Test
    void deletingAUserWhoDoesNotExistFailsWith67() {
        CliRun run = fails(ExitCodes.NOUSER, "delete_user", "nobody-at-all");
        assertTrue(run.err().contains("User \"nobody-at-all\" does not exist"), run.toString());
        fails(ExitCodes.NOUSER, "change_password", "nobody-at-all", "pw");
        fails(ExitCodes.NOUSER, "set_user_tags", "nobody-at-all", "management");
        fails(ExitCodes.NOUSER, "list_user_permissions", "nobody-at-all");
    }

    @Test
    void aPasswordLeftOffTheCommandLineIsReadFromStdin() throws Exception {
        CliRun add = CliRun.runWithStdin("from-stdin\n", env, "add_user", "stdin-user");
        assertEquals(0, add.exit(), add.toString());
        assertTrue(add.out().contains("Done. Don't forget to grant the user permissions"), add.toString());
        assertEquals(0, CliRun.runWithStdin("from-stdin\n", env, "authenticate_user", "stdin-user").exit());

        CliRun changed = CliRun.runWithStdin("second\n", env, "change_password", "stdin-user");
        assertEquals(0, changed.exit(), changed.toString());
        ok("authenticate_user", "stdin-user", "second");
        fails(ExitCodes.DATAERR, "authenticate_user", "stdin-user", "from-stdin");

        CliRun none = CliRun.run(env, "add_user", "no-password-user");
        assertEquals(ExitCodes.DATAERR, none.exit(), none.toString());
        assertTrue(none.err().contains("Password is not provided via argument or stdin"), none.toString());
        assertFalse(ok("-q", "list_users").out().contains("no-password-user"));
    }

    @Test
    void settingTagsKeepsThePasswordAndNoTagsClearsThem() {
        ok("add_user", "tagged", "pw");
        ok("set_user_tags", "tagged", "monitoring", "management");
        assertTrue(ok("-q", "list_users").out().contains("tagged\t[management, monitoring]\n")
                || ok("-q", "list_users").out().contains("tagged\t[monitoring, management]\n"));
        ok("authenticate_user", "tagged", "pw");
        ok("set_user_tags", "tagged");
        assertTrue(ok("-q", "list_users").out().contains("tagged\t[]\n"));
        ok("authenticate_user", "tagged", "pw");
    }

    @Test
    void userCredentialsWithoutTheSecretAreCheckedByTheNode() {
        ok("add_user", "admin2", "pw2");
        ok("set_user_tags", "admin2", "administrator");
        CliRun asAdmin = ok("--username", "admin2", "--password", "pw2", "-q", "list_users");
        assertTrue(asAdmin.out().contains("admin2\t[administrator]"), asAdmin.toString());
        CliRun wrong = fails(ExitCodes.UNAVAILABLE, "--username", "admin2", "--password", "nope", "list_users");
        assertTrue(wrong.err().contains("refused warrenctl's credentials"), wrong.toString());

        ok("add_user", "monitor-only", "pw3");
        ok("set_user_tags", "monitor-only", "monitoring");
        CliRun notAdmin = fails(ExitCodes.SOFTWARE, "--username", "monitor-only", "--password", "pw3", "list_users");
        assertTrue(notAdmin.err().contains("the node refused this operation"), notAdmin.toString());
        CliRun notAdminAuth = fails(ExitCodes.SOFTWARE, "--username", "monitor-only", "--password", "pw3",
                "authenticate_user", "admin2", "pw2");
        assertFalse(notAdminAuth.err().contains("failed to authenticate"), notAdminAuth.toString());
    }

    @Test
    void aRemoteNodeIsReachedWithItsUrlAndBasicAuth() {
        Map<String, String> noLocalNode = Map.of("WARREN_DATA_DIR", tmp.toString());
        CliRun guest = CliRun.run(noLocalNode, "--node", node.baseUrl(), "--username", "guest", "--password", "guest",
                "-q", "list_users");
        assertEquals(0, guest.exit(), guest.toString());
        assertTrue(guest.out().contains("guest\t[administrator]"), guest.toString());
        CliRun defaults = CliRun.run(noLocalNode, "-n", "127.0.0.1:" + node.managementPort(), "-q", "list_vhosts");
        assertEquals(0, defaults.exit(), defaults.toString());
        assertTrue(defaults.out().contains("/\n"), defaults.toString());
        CliRun wrong = CliRun.run(noLocalNode, "--node", node.baseUrl(), "--password", "bad", "list_users");
        assertEquals(ExitCodes.UNAVAILABLE, wrong.exit(), wrong.toString());
    }

    @Test
    void aWrongSecretIsRefusedAsNodeUnavailable() throws Exception {
        Files.writeString(tmp.resolve("warrenctl.json"), "{\"url\":\"" + node.baseUrl() + "\",\"secret\":\"forged\"}");
        CliRun run = CliRun.run(Map.of("WARREN_DATA_DIR", tmp.toString()), "list_users");
        assertEquals(ExitCodes.UNAVAILABLE, run.exit(), run.toString());
        CliRun option = CliRun.run(Map.of(), "--data-dir", node.dataDir().toString(), "-q", "list_users");
        assertEquals(0, option.exit(), option.toString());
    }

    // ---- vhosts and permissions ----

    @Test
    void virtualHostsAreAddedListedAndDeleted() {
        assertEquals("Adding vhost \"cli-vh\" ...\n", ok("add_vhost", "cli-vh").out());
        ok("add_vhost", "cli-vh");
        assertTrue(ok("-q", "list_vhosts").out().contains("\ncli-vh\n"));
        CliRun columns = ok("-q", "list_vhosts", "name", "tracing");
        assertTrue(columns.out().startsWith("name\ttracing\n"), columns.toString());
        assertTrue(columns.out().contains("cli-vh\tfalse\n"), columns.toString());
        assertEquals("Deleting vhost \"cli-vh\" ...\n", ok("delete_vhost", "cli-vh").out());
        assertFalse(ok("-q", "list_vhosts").out().contains("cli-vh"));
        CliRun missing = fails(ExitCodes.DATAERR, "delete_vhost", "cli-vh");
        assertTrue(missing.err().contains("Virtual host 'cli-vh' does not exist"), missing.toString());
    }

    @Test
    void permissionsAreSetListedAndClearedPerVirtualHost() {
        ok("add_vhost", "perm-vh");
        ok("add_user", "perm-user", "pw");
        ok("set_permissions", "-p", "perm-vh", "perm-user", "^perm-.*", "", ".*");
        CliRun listed = ok("list_permissions", "-p", "perm-vh");
        assertEquals("Listing permissions for vhost \"perm-vh\" ...\nuser\tconfigure\twrite\tread\n"
                + "perm-user\t^perm-.*\t\t.*\n", listed.out());
        CliRun forUser = ok("-q", "list_user_permissions", "perm-user");
        assertEquals("vhost\tconfigure\twrite\tread\nperm-vh\t^perm-.*\t\t.*\n", forUser.out());

        assertEquals("Clearing permissions for user \"perm-user\" in vhost \"perm-vh\" ...\n",
                ok("clear_permissions", "-p", "perm-vh", "perm-user").out());
        assertEquals("", ok("-q", "list_permissions", "-p", "perm-vh").out());
        ok("clear_permissions", "-p", "perm-vh", "perm-user");

        fails(ExitCodes.DATAERR, "set_permissions", "-p", "no-such-vh", "perm-user", ".*", ".*", ".*");
        fails(ExitCodes.NOUSER, "set_permissions", "-p", "perm-vh", "no-such-user", ".*", ".*", ".*");
        fails(ExitCodes.DATAERR, "list_permissions", "-p", "no-such-vh");
    }

    @Test
    void topicPermissionsAreSetListedAndClearedPerExchange() throws Exception {
        ok("add_vhost", "topic-vh");
        ok("add_user", "topic-user", "pw");
        assertEquals("Setting topic permissions on \"amq.topic\" for user \"topic-user\" in vhost \"topic-vh\" ...\n",
                ok("set_topic_permissions", "-p", "topic-vh", "topic-user", "amq.topic", "^{username}\\.", "^public\\.").out());
        ok("set_topic_permissions", "-p", "topic-vh", "topic-user", "events", ".*", "");
        CliRun listed = ok("list_topic_permissions", "-p", "topic-vh");
        assertEquals("Listing topic permissions for vhost \"topic-vh\" ...\nuser\texchange\twrite\tread\n"
                + "topic-user\tamq.topic\t^{username}\\.\t^public\\.\ntopic-user\tevents\t.*\t\n", listed.out());
        CliRun forUser = ok("-q", "list_user_topic_permissions", "topic-user");
        assertEquals("vhost\texchange\twrite\tread\ntopic-vh\tamq.topic\t^{username}\\.\t^public\\.\n"
                + "topic-vh\tevents\t.*\t\n", forUser.out());
        JsonNode asJson = json(ok("list_topic_permissions", "-p", "topic-vh", "--formatter", "json"));
        assertEquals(2, asJson.size(), asJson.toString());
        assertEquals("amq.topic", asJson.get(0).path("exchange").asText());

        assertEquals("Clearing topic permissions on \"events\" for user \"topic-user\" in vhost \"topic-vh\" ...\n",
                ok("clear_topic_permissions", "-p", "topic-vh", "topic-user", "events").out());
        assertEquals("user\texchange\twrite\tread\ntopic-user\tamq.topic\t^{username}\\.\t^public\\.\n",
                ok("-q", "list_topic_permissions", "-p", "topic-vh").out());
        assertEquals("Clearing topic permissions for user \"topic-user\" in vhost \"topic-vh\" ...\n",
                ok("clear_topic_permissions", "-p", "topic-vh", "topic-user").out());
        assertEquals("", ok("-q", "list_topic_permissions", "-p", "topic-vh").out());
        ok("clear_topic_permissions", "-p", "topic-vh", "topic-user"); // nothing left to clear is fine

        fails(ExitCodes.NOUSER, "set_topic_permissions", "-p", "topic-vh", "no-such-user", "amq.topic", ".*", ".*");
        fails(ExitCodes.DATAERR, "set_topic_permissions", "-p", "no-such-vh", "topic-user", "amq.topic", ".*", ".*");
        CliRun badRegex = CliRun.run(env, "set_topic_permissions", "-p", "topic-vh", "topic-user", "amq.topic", "(", ".*");
        assertTrue(badRegex.exit() != 0 && badRegex.err().contains("invalid regular expression '('"), badRegex.toString());
        fails(ExitCodes.DATAERR, "list_topic_permissions", "-p", "no-such-vh");
    }

    @Test
    void vhostLimitsAreSetListedAndClearedAsRabbitmqctlDoes() throws Exception {
        ok("add_vhost", "limits-vh");
        assertEquals("Setting vhost limits to \"{\"max-connections\": 10, \"max-queues\": 5}\" for vhost \"limits-vh\" ...\n",
                ok("set_vhost_limits", "-p", "limits-vh", "{\"max-connections\": 10, \"max-queues\": 5}").out());
        assertEquals("Listing limits for vhost \"limits-vh\" ...\n{\"max-connections\":10,\"max-queues\":5}\n",
                ok("list_vhost_limits", "-p", "limits-vh").out());
        ok("set_vhost_limits", "-p", "limits-vh", "{\"max-queues\": 7}"); // replaces: max-connections goes
        assertEquals("{\"max-queues\":7}\n", ok("-q", "list_vhost_limits", "-p", "limits-vh").out());
        assertTrue(ok("-q", "list_vhost_limits", "--global").out().contains("limits-vh\t{\"max-queues\":7}\n"));
        JsonNode asJson = json(ok("list_vhost_limits", "-p", "limits-vh", "--formatter", "json"));
        assertEquals(7, asJson.path("max-queues").asInt(), asJson.toString());

        CliRun unknown = CliRun.run(env, "set_vhost_limits", "-p", "limits-vh", "{\"foo\": 1}");
        assertEquals(ExitCodes.UNAVAILABLE, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("Unrecognised terms [{<<\"foo\">>,1}] in limits"), unknown.toString());
        CliRun notNumber = CliRun.run(env, "set_vhost_limits", "-p", "limits-vh", "{\"max-queues\": \"a\"}");
        assertTrue(notNumber.err().contains("max-queues should be a number, actually was <<\"a\">>"), notNumber.toString());
        assertEquals(ExitCodes.UNAVAILABLE, CliRun.run(env, "set_vhost_limits", "-p", "limits-vh", "notjson").exit());
        assertEquals("{\"max-queues\":7}\n", ok("-q", "list_vhost_limits", "-p", "limits-vh").out(), "a refused change changes nothing");

        assertEquals("Clearing vhost \"limits-vh\" limits ...\n", ok("clear_vhost_limits", "-p", "limits-vh").out());
        assertEquals("\n", ok("-q", "list_vhost_limits", "-p", "limits-vh").out());
        fails(ExitCodes.DATAERR, "set_vhost_limits", "-p", "no-such-vh", "{\"max-queues\": 1}");
    }

    @Test
    void policiesAreSetListedAndClearedAsRabbitmqctlDoes() throws Exception {
        ok("add_vhost", "policies-vh");
        assertEquals("Setting policy \"ttl\" for pattern \"^q\\.\" to \"{\"message-ttl\": 60000}\" with priority \"3\" "
                        + "for vhost \"policies-vh\" ...\n",
                ok("set_policy", "-p", "policies-vh", "--priority", "3", "--apply-to", "queues", "ttl", "^q\\.",
                        "{\"message-ttl\": 60000}").out());
        ok("set_policy", "-p", "policies-vh", "ae", "^x$", "{\"alternate-exchange\": \"ae\"}", "--apply-to", "exchanges");
        assertEquals("Listing policies for vhost \"policies-vh\" ...\n"
                        + "vhost\tname\tpattern\tapply-to\tdefinition\tpriority\n"
                        + "policies-vh\tae\t^x$\texchanges\t{\"alternate-exchange\":\"ae\"}\t0\n"
                        + "policies-vh\tttl\t^q\\.\tqueues\t{\"message-ttl\":60000}\t3\n",
                ok("list_policies", "-p", "policies-vh").out());
        JsonNode asJson = json(ok("list_policies", "-p", "policies-vh", "--formatter", "json"));
        assertEquals("{\"vhost\":\"policies-vh\",\"name\":\"ttl\",\"pattern\":\"^q\\\\.\",\"apply-to\":\"queues\","
                + "\"definition\":\"{\\\"message-ttl\\\":60000}\",\"priority\":3}", asJson.get(1).toString(),
                "the definition as a JSON string, as rabbitmqctl's json formatter gives it");

        CliRun badValue = CliRun.run(env, "set_policy", "-p", "policies-vh", "ttl", "^q", "{\"message-ttl\": \"x\"}");
        assertEquals(ExitCodes.UNAVAILABLE, badValue.exit(), badValue.toString());
        assertTrue(badValue.err().contains("Error:\nValidation failed\n\n<<\"x\">> is not a valid message TTL"), badValue.toString());
        CliRun unknownKey = CliRun.run(env, "set_policy", "-p", "policies-vh", "ttl", "^q", "{\"foo\": 1}");
        assertTrue(unknownKey.err().contains("[{<<\"foo\">>,1}] are not recognised policy settings"), unknownKey.toString());
        assertEquals(ExitCodes.UNAVAILABLE, CliRun.run(env, "set_policy", "-p", "policies-vh", "ttl", "^q", "notjson").exit());
        CliRun badPriority = CliRun.run(env, "set_policy", "-p", "policies-vh", "--priority", "x", "ttl", "^q", "{\"max-length\": 1}");
        assertEquals(ExitCodes.USAGE, badPriority.exit(), badPriority.toString());
        CliRun badApplyTo = CliRun.run(env, "set_policy", "-p", "policies-vh", "--apply-to", "bad", "ttl", "^q", "{\"max-length\": 1}");
        assertTrue(badApplyTo.err().contains("apply-to 'bad' unrecognised"), badApplyTo.toString());
        assertTrue(ok("-q", "list_policies", "-p", "policies-vh").out().contains("{\"message-ttl\":60000}\t3"),
                "a refused change changes nothing");

        assertEquals("Clearing policy \"ttl\" on vhost \"policies-vh\" ...\n", ok("clear_policy", "-p", "policies-vh", "ttl").out());
        CliRun again = CliRun.run(env, "clear_policy", "-p", "policies-vh", "ttl");
        assertEquals(ExitCodes.UNAVAILABLE, again.exit(), again.toString());
        assertTrue(again.err().contains("Parameter does not exist"), again.toString());
        assertEquals("vhost\tname\tpattern\tapply-to\tdefinition\tpriority\npolicies-vh\tae\t^x$\texchanges\t"
                + "{\"alternate-exchange\":\"ae\"}\t0\n", ok("-q", "list_policies", "-p", "policies-vh").out());
        fails(ExitCodes.DATAERR, "set_policy", "-p", "no-such-vh", "p", ".*", "{\"max-length\": 1}");
        fails(ExitCodes.DATAERR, "list_policies", "-p", "no-such-vh");
    }

    @Test
    void operatorPoliciesAreSetListedAndClearedAsRabbitmqctlDoes() throws Exception {
        assertEquals("Setting operator policy override \"cap\" for pattern \".*\" to \"{\"max-length\": 1000}\" with priority "
                        + "\"0\" for vhost \"/\" ...\n",
                ok("set_operator_policy", "--apply-to", "queues", "cap", ".*", "{\"max-length\": 1000}").out());
        assertEquals("Listing operator policy overrides for vhost \"/\" ...\n"
                        + "vhost\tname\tpattern\tapply-to\tdefinition\tpriority\n/\tcap\t.*\tqueues\t{\"max-length\":1000}\t0\n",
                ok("list_operator_policies").out());
        CliRun notAllowed = CliRun.run(env, "set_operator_policy", "dlx", ".*", "{\"dead-letter-exchange\": \"x\"}");
        assertEquals(ExitCodes.UNAVAILABLE, notAllowed.exit(), notAllowed.toString());
        assertTrue(notAllowed.err().contains("[{<<\"dead-letter-exchange\">>,<<\"x\">>}] are not recognised policy settings"),
                notAllowed.toString());
        assertEquals("Clearing operator policy \"cap\" on vhost \"/\" ...\n", ok("clear_operator_policy", "cap").out());
        assertEquals("", ok("-q", "list_operator_policies").out().strip(), "no rows: no table");
        assertEquals(ExitCodes.UNAVAILABLE, CliRun.run(env, "clear_operator_policy", "cap").exit());
    }

    @Test
    void userLimitsAreSetListedAndClearedAsRabbitmqctlDoes() throws Exception {
        ok("add_user", "limits-user", "pw");
        assertEquals("Setting user limits to \"{\"max-connections\": 2, \"max-channels\": 20}\" for user \"limits-user\" ...\n",
                ok("set_user_limits", "limits-user", "{\"max-connections\": 2, \"max-channels\": 20}").out());
        assertEquals("Listing limits for user \"limits-user\" ...\n{\"max-channels\":20,\"max-connections\":2}\n",
                ok("list_user_limits", "--user", "limits-user").out());
        assertTrue(ok("-q", "list_user_limits").out().contains("limits-user\t{\"max-channels\":20,\"max-connections\":2}\n"));
        assertEquals("Clearing \"max-channels\" limit for user \"limits-user\" ...\n",
                ok("clear_user_limits", "limits-user", "max-channels").out());
        assertEquals("{\"max-connections\":2}\n", ok("-q", "list_user_limits", "--user", "limits-user").out());
        assertEquals("Clearing all limits for user \"limits-user\" ...\n", ok("clear_user_limits", "limits-user", "all").out());
        assertEquals("\n", ok("-q", "list_user_limits", "--user", "limits-user").out());
        CliRun unknown = CliRun.run(env, "set_user_limits", "limits-user", "{\"max-queues\": 1}");
        assertEquals(ExitCodes.UNAVAILABLE, unknown.exit(), unknown.toString());
        fails(ExitCodes.NOUSER, "set_user_limits", "no-such-user", "{\"max-channels\": 1}");
    }

    @Test
    void closeAllConnectionsClosesAVhostsConnectionsOrEveryOneWithGlobal() throws Exception {
        ok("add_vhost", "closing-vh");
        ok("set_permissions", "-p", "closing-vh", "guest", ".*", ".*", ".*");
        ConnectionFactory inVhost = node.connectionFactory("guest", "guest");
        inVhost.setVirtualHost("closing-vh");
        Connection a = inVhost.newConnection();
        Connection b = inVhost.newConnection();
        Connection elsewhere = connect();
        try {
            Await.until(Duration.ofSeconds(10), () -> ok("-q", "list_connections", "vhost").out().split("closing-vh").length > 2,
                    "both connections listed");
            CliRun closed = ok("close_all_connections", "-p", "closing-vh", "--limit", "1", "maintenance");
            assertEquals("Closing all connections in vhost closing-vh, reason: maintenance...\nClosed 1 connections\n", closed.out());
            Await.until(Duration.ofSeconds(10), () -> !a.isOpen() || !b.isOpen(), "one connection closed");
            assertEquals("Closed 1 connections\n", ok("-q", "close_all_connections", "-p", "closing-vh", "maintenance").out());
            Await.until(Duration.ofSeconds(10), () -> !a.isOpen() && !b.isOpen(), "both closed");
            AMQP.Connection.Close reason = (AMQP.Connection.Close) a.getCloseReason().getReason();
            assertEquals(320, reason.getReplyCode());
            assertTrue(reason.getReplyText().contains("maintenance"), reason.getReplyText());
            assertTrue(elsewhere.isOpen(), "a connection to another vhost was closed");
            assertEquals("Closed 0 connections\n", ok("-q", "close_all_connections", "-p", "closing-vh", "again").out());
            fails(ExitCodes.DATAERR, "close_all_connections", "-p", "no-such-vh", "x");
        } finally {
            for (Connection c : List.of(a, b, elsewhere)) {
                if (c.isOpen()) {
                    c.abort();
                }
            }
        }
    }

    @Test
    void traceOnAndOffSwitchAVirtualHostsFirehose() throws Exception {
        ok("add_vhost", "traced-vh");
        assertEquals("Starting tracing for vhost \"traced-vh\" ...\n", ok("trace_on", "-p", "traced-vh").out());
        assertTrue(node.broker().vhost("traced-vh").tracing());
        assertEquals("Stopping tracing for vhost \"traced-vh\" ...\n", ok("trace_off", "-p", "traced-vh").out());
        assertFalse(node.broker().vhost("traced-vh").tracing());
        fails(ExitCodes.DATAERR, "trace_on", "-p", "no-such-vh");
    }

    @Test
    void stopAppClosesClientsAndRefusesNewOnesUntilStartAppWithQueuesAndMessagesKept() throws Exception {
        Connection client = connect();
        Channel channel = client.createChannel();
        channel.queueDeclare("app-kept", true, false, false, null);
        channel.confirmSelect();
        channel.basicPublish("", "app-kept", MessageProperties.PERSISTENT_TEXT_PLAIN, "kept".getBytes());
        channel.waitForConfirmsOrDie(5_000);
        try {
            assertTrue(ok("stop_app").out().startsWith("Stopping Warren application on node "));
            Await.until(Duration.ofSeconds(10), () -> !client.isOpen(), "the client connection closed");
            AMQP.Connection.Close close = (AMQP.Connection.Close) client.getCloseReason().getReason();
            assertEquals(320, close.getReplyCode());
            assertTrue(CliRun.run(env, "-q", "list_queues").out().contains("app-kept\t1\n"), "the management side stays up");
            assertThrowsConnect();
            String status = ok("status").out();
            assertTrue(status.contains("Application: stopped (stop_app)"), status);
            assertFalse(status.contains("protocol: amqp"), status);
            ok("stop_app"); // already stopped: nothing to do, as rabbitmqctl
        } finally {
            assertTrue(ok("start_app").out().startsWith("Starting node "));
        }
        try (Connection again = connect()) {
            Channel after = again.createChannel();
            assertEquals(1, after.queueDeclarePassive("app-kept").getMessageCount());
            after.queueDelete("app-kept");
        }
        ok("start_app"); // already running
    }

    private static void assertThrowsConnect() {
        try {
            connect().close();
            throw new AssertionError("a connection was accepted while the application was stopped");
        } catch (java.io.IOException | java.util.concurrent.TimeoutException e) {
            // refused: nothing listens
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    // ---- queues, exchanges, bindings ----

    @Test
    void listQueuesShowsTheColumnsAskedForInOrder() throws Exception {
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            ch.queueDeclare("lq-three", true, false, false, Map.of("x-max-length", 100));
            for (int i = 0; i < 3; i++) {
                ch.basicPublish("", "lq-three", MessageProperties.PERSISTENT_TEXT_PLAIN, new byte[]{1});
            }
            Await.until(Duration.ofSeconds(10), () -> ok("-q", "list_queues").out().contains("lq-three\t3\n"),
                    "the three messages are counted");

            CliRun defaults = ok("list_queues");
            assertTrue(defaults.out().startsWith("Timeout: 60.0 seconds ...\nListing queues for vhost / ...\nname\tmessages\n"),
                    defaults.toString());
            CliRun chosen = ok("-q", "list_queues", "messages", "name", "durable", "consumers", "arguments");
            assertTrue(chosen.out().startsWith("messages\tname\tdurable\tconsumers\targuments\n"), chosen.toString());
            assertTrue(chosen.out().contains("3\tlq-three\ttrue\t0\t[{\"x-max-length\",100}]\n"), chosen.toString());

            JsonNode asJson = json(ok("list_queues", "name", "messages_ready", "--formatter", "json"));
            boolean found = false;
            for (JsonNode q : asJson) {
                if (q.path("name").asText().equals("lq-three")) {
                    found = true;
                    assertEquals(3, q.path("messages_ready").asInt(), q.toString());
                    assertEquals(2, q.size(), q.toString());
                }
            }
            assertTrue(found, asJson.toString());
            ch.queueDelete("lq-three");
        }
        fails(ExitCodes.DATAERR, "list_queues", "-p", "no-such-vh");
    }

    @Test
    void queuesInAnotherVirtualHostAreListedWithDashP() throws Exception {
        ok("add_vhost", "other-vh");
        ok("set_permissions", "-p", "other-vh", "guest", ".*", ".*", ".*");
        com.rabbitmq.client.ConnectionFactory factory = node.connectionFactory("guest", "guest");
        factory.setVirtualHost("other-vh");
        try (Connection c = factory.newConnection(); Channel ch = c.createChannel()) {
            ch.queueDeclare("only-in-other", false, false, false, null);
            assertTrue(ok("list_queues", "-p", "other-vh").out().contains("Listing queues for vhost other-vh ...\n"));
            assertTrue(ok("-q", "list_queues", "-p", "other-vh", "name", "vhost").out().contains("only-in-other\tother-vh\n"));
            assertFalse(ok("-q", "list_queues").out().contains("only-in-other"));
            ch.queueDelete("only-in-other");
        }
    }

    @Test
    void exchangesAndBindingsAreListedAsRabbitmqctlDoes() throws Exception {
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            ch.queueDeclare("bound-q", false, false, false, null);
            ch.queueBind("bound-q", "amq.topic", "a.#");
            CliRun exchanges = ok("list_exchanges");
            assertTrue(exchanges.out().startsWith("Listing exchanges for vhost / ...\nname\ttype\n"), exchanges.toString());
            assertTrue(exchanges.out().contains("\namq.topic\ttopic\n"), exchanges.toString());
            assertTrue(exchanges.out().contains("\n\tdirect\n"), "the default exchange has an empty name: " + exchanges);

            CliRun bindings = ok("list_bindings");
            assertTrue(bindings.out().contains("source_name\tsource_kind\tdestination_name\tdestination_kind\trouting_key\targuments\n"),
                    bindings.toString());
            assertTrue(bindings.out().contains("amq.topic\texchange\tbound-q\tqueue\ta.#\t[]\n"), bindings.toString());
            assertTrue(bindings.out().contains("\texchange\tbound-q\tqueue\tbound-q\t[]\n"), bindings.toString());
            ch.queueDelete("bound-q");
        }
    }

    @Test
    void purgeQueueEmptiesItAndDeleteQueueReportsWhatWentWithIt() throws Exception {
        try (Connection c = connect(); Channel ch = c.createChannel()) {
            ch.queueDeclare("to-purge", false, false, false, null);
            ch.queueDeclare("to-delete", false, false, false, null);
            for (int i = 0; i < 2; i++) {
                ch.basicPublish("", "to-purge", null, new byte[]{1});
                ch.basicPublish("", "to-delete", null, new byte[]{1});
            }
            Await.until(Duration.ofSeconds(10), () -> {
                String out = ok("-q", "list_queues").out();
                return out.contains("to-purge\t2\n") && out.contains("to-delete\t2\n");
            }, "both queues hold two messages");

            assertEquals("Purging queue 'to-purge' in vhost '/' ...\n", ok("purge_queue", "to-purge").out());
            assertTrue(ok("-q", "list_queues").out().contains("to-purge\t0\n"));
            fails(ExitCodes.DATAERR, "purge_queue", "no-such-queue");

            CliRun notEmpty = fails(ExitCodes.USAGE, "delete_queue", "to-delete", "--if-empty");
            assertTrue(notEmpty.err().contains("Queue is not empty"), notEmpty.toString());
            assertTrue(notEmpty.out().contains("Deleting queue 'to-delete' on vhost '/' if queue is empty ..."), notEmpty.toString());

            ch.basicConsume("to-purge", true, new DefaultConsumer(ch));
            CliRun inUse = fails(ExitCodes.USAGE, "delete_queue", "-u", "to-purge");
            assertTrue(inUse.err().contains("Queue is in use"), inUse.toString());

            CliRun deleted = ok("delete_queue", "to-delete");
            assertEquals("Deleting queue 'to-delete' on vhost '/' ...\nQueue was successfully deleted with 2 messages\n",
                    deleted.out());
            CliRun missing = fails(ExitCodes.USAGE, "delete_queue", "to-delete");
            assertTrue(missing.err().contains("Queue not found"), missing.toString());
            ok("-q", "delete_queue", "to-purge");
        }
    }

    // ---- connections, channels, consumers ----

    @Test
    void connectionsChannelsAndConsumersAreListedAndAConnectionClosedByName() throws Exception {
        Connection c = node.connectionFactory("guest", "guest").newConnection("listed-app");
        int localPort = ((NetworkConnection) c).getLocalPort();
        try {
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            c.addShutdownListener(closed::complete);
            Channel ch = c.createChannel();
            ch.basicQos(7);
            ch.queueDeclare("consumed-q", false, false, true, null);
            ch.basicConsume("consumed-q", false, "ctag-1", new DefaultConsumer(ch));

            CliRun connections = ok("list_connections");
            assertTrue(connections.out().startsWith("Listing connections ...\nuser\tpeer_host\tpeer_port\tstate\n"),
                    connections.toString());
            assertTrue(connections.out().contains("guest\t127.0.0.1\t" + localPort + "\trunning\n"),
                    connections.toString());

            String name = null;
            for (String line : ok("-q", "--no-table-headers", "list_connections", "pid", "peer_port").out().split("\n")) {
                String[] cells = line.split("\t");
                if (cells[1].equals(String.valueOf(localPort))) {
                    name = cells[0];
                }
            }
            assertTrue(name != null && !name.isEmpty(), "the connection is listed by name");

            CliRun channels = ok("-q", "list_channels", "connection", "number", "user", "prefetch_count", "consumer_count");
            assertTrue(channels.out().contains(name + "\t1\tguest\t7\t1\n"), channels.toString());

            CliRun consumers = ok("list_consumers");
            assertTrue(consumers.out().startsWith("Listing consumers in vhost / ...\n"
                    + "queue_name\tchannel_pid\tconsumer_tag\tack_required\tprefetch_count\tactive\targuments\n"),
                    consumers.toString());
            assertTrue(consumers.out().contains("consumed-q\t" + name + " (1)\tctag-1\ttrue\t7\ttrue\t[]\n"),
                    consumers.toString());

            CliRun close = ok("close_connection", name, "go away");
            assertEquals("Closing connection " + name + ", reason: go away...\n", close.out());
            ShutdownSignalException why = closed.get(10, TimeUnit.SECONDS);
            assertTrue(why.getMessage().contains("go away"), why.getMessage());
            assertTrue(why.getMessage().contains("CONNECTION_FORCED"), why.getMessage());
            fails(ExitCodes.DATAERR, "close_connection", name, "again");
        } finally {
            if (c.isOpen()) {
                c.abort();
            }
        }
    }

    // ---- node ----

    @Test
    void statusDescribesTheNode() throws Exception {
        CliRun status = ok("status");
        assertTrue(status.out().startsWith("Status of node " + node.baseUrl() + " ...\nRuntime\n"), status.toString());
        assertTrue(status.out().contains("Product name: Warren\n"), status.toString());
        assertTrue(status.out().contains("port: " + node.amqpPort() + ", protocol: amqp"), status.toString());
        JsonNode overview = json(ok("status", "--formatter", "json"));
        assertEquals("Warren", overview.path("product_name").asText(), overview.toString());
    }

    @Test
    void clusterStatusOfASingleNodeListsItAsTheDiskNodeAndTheRunningNode() throws Exception {
        String name = dev.warren.core.NodeName.get();
        CliRun text = ok("cluster_status");
        assertTrue(text.out().startsWith("Cluster status of node " + node.baseUrl() + " ...\nBasics\n"), text.toString());
        assertTrue(text.out().contains("\nDisk Nodes\n\n" + name + "\n\nRunning Nodes\n\n" + name + "\n"), text.toString());
        JsonNode json = json(ok("cluster_status", "--formatter", "json"));
        assertEquals("[\"" + name + "\"]", json.path("disk_nodes").toString(), json.toString());
        assertEquals("[\"" + name + "\"]", json.path("running_nodes").toString(), json.toString());
    }

    @Test
    void statusShowsAlarmsAndMemoryAndSetVmMemoryHighWatermarkRaisesAndClearsTheMemoryAlarm() throws Exception {
        MemoryAlarm memory = node.broker().storage().memoryAlarm();
        try {
            CliRun calm = ok("status");
            assertTrue(calm.out().contains("\nAlarms\n\n(none)\n"), calm.toString());
            assertTrue(calm.out().contains("\nMemory\n\nTotal memory used: 0.1049 gb\n"), calm.toString());
            assertTrue(calm.out().contains("Memory high watermark setting: 0.6 of available memory, computed to: 5.1540 gb\n"),
                    calm.toString());

            CliRun set = ok("set_vm_memory_high_watermark", "absolute", "1");
            assertEquals("Setting memory threshold on " + node.baseUrl() + " to 1 bytes ...\n", set.out());
            assertTrue(memory.raised());
            CliRun alarmed = ok("status");
            assertTrue(alarmed.out().contains("\nAlarms\n\nMemory alarm on node "), alarmed.toString());
            assertTrue(alarmed.out().contains("Memory high watermark setting: 1 bytes, computed to: 0.0000 gb\n"),
                    alarmed.toString());

            ok("set_vm_memory_high_watermark", "0.6");
            assertFalse(memory.raised());
            ok("set_vm_memory_high_watermark", "absolute", "2GiB");
            assertEquals(2L << 30, memory.limit());
            ok("set_vm_memory_high_watermark", "absolute", "2GB");
            assertEquals(2_000_000_000L, memory.limit());

            fails(ExitCodes.DATAERR, "set_vm_memory_high_watermark", "1.5");
            fails(ExitCodes.DATAERR, "set_vm_memory_high_watermark", "lots");
            fails(ExitCodes.DATAERR, "set_vm_memory_high_watermark", "absolute", "5 parsecs");
            fails(ExitCodes.DATAERR, "set_vm_memory_high_watermark", "relative", "0.5");
            fails(ExitCodes.USAGE, "set_vm_memory_high_watermark");
            assertEquals(2_000_000_000L, memory.limit(), "refused arguments change nothing");
        } finally {
            memory.setWatermark(MemoryAlarm.Watermark.relative(0.6));
        }
    }

    @Test
    void definitionsExportedToAFileComeBackWhenImported() throws Exception {
        ok("add_vhost", "def-vh");
        ok("add_user", "def-user", "pw");
        ok("set_permissions", "-p", "def-vh", "def-user", ".*", "", "");
        Path file = tmp.resolve("defs.json");
        CliRun export = ok("export_definitions", file.toString());
        assertEquals("Exporting definitions in JSON to a file at \"" + file + "\" ...\n", export.out());
        JsonNode definitions = NodeClient.JSON.readTree(file.toFile());
        assertTrue(definitions.path("vhosts").toString().contains("def-vh"), definitions.toString());

        ok("delete_vhost", "def-vh");
        ok("delete_user", "def-user");
        CliRun imported = ok("import_definitions", file.toString());
        assertTrue(imported.out().startsWith("Importing definitions in JSON from a file at \"" + file + "\" ..."),
                imported.toString());
        assertTrue(ok("-q", "list_vhosts").out().contains("def-vh\n"));
        assertTrue(ok("-q", "list_user_permissions", "def-user").out().contains("def-vh\t.*\t\t\n"));
        ok("authenticate_user", "def-user", "pw");
    }

    @Test
    void definitionsGoToStdoutAndComeFromStdinWithADash() throws Exception {
        ok("add_vhost", "stdin-vh");
        CliRun export = ok("export_definitions", "-");
        JsonNode definitions = NodeClient.JSON.readTree(export.out());
        assertTrue(definitions.path("vhosts").toString().contains("stdin-vh"), export.toString());
        ok("delete_vhost", "stdin-vh");

        CliRun imported = CliRun.runWithStdin(export.out(), env, "import_definitions", "-");
        assertEquals(0, imported.exit(), imported.toString());
        assertEquals("", imported.out());
        assertTrue(ok("-q", "list_vhosts").out().contains("stdin-vh\n"));

        CliRun garbage = CliRun.runWithStdin("{not json", env, "import_definitions");
        assertEquals(ExitCodes.DATAERR, garbage.exit(), garbage.toString());
        assertTrue(garbage.err().contains("Failed to deserialise input"), garbage.toString());
        fails(ExitCodes.DATAERR, "import_definitions", tmp.resolve("absent.json").toString());
        fails(ExitCodes.DATAERR, "export_definitions", tmp.resolve("no/such/dir/defs.json").toString());
    }

    @Test
    void everyListingAnswersInJson() throws Exception {
        List<String> listings = new ArrayList<>();
        for (Command command : Commands.all()) {
            if (command.isListing() && command.minArgs() == 0) {
                listings.add(command.name());
            }
        }
        assertEquals(12, listings.size(), listings.toString());
        for (String listing : listings) {
            JsonNode answer = json(ok(listing, "--formatter", "json"));
            assertTrue(answer.isArray(), listing + ": " + answer);
        }
    }
}
