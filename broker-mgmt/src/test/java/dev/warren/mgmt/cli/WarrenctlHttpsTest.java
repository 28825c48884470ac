package dev.warren.mgmt.cli;

import dev.warren.amqp.tls.ServerTls;
import dev.warren.amqp.tls.TlsSettings;
import dev.warren.core.Broker;
import dev.warren.core.auth.Users;
import dev.warren.core.testing.TestPki;
import dev.warren.mgmt.http.ManagementServer;
import dev.warren.mgmt.http.ManagementSettings;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * warrenctl against a node whose management API listens on https (management.ssl.*) beside http, with
 * certificates made at test time: the node's certificate is checked against the CA bundle named by
 * --cacertfile or $WARREN_CTL_CACERTFILE, and its host name too; whatever fails is exit 69 with a message, never
 * a stack trace. The local node's secret file still leads to plain http on 127.0.0.1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WarrenctlHttpsTest {
    @TempDir
    static Path dir;

    private static MultiThreadIoEventLoopGroup loop;
    private static ManagementServer management;
    private static TestPki pki;
    private static TestPki.Issued server;
    private static TestPki otherCa;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir, "warren-test");
        server = pki.server("server");
        otherCa = TestPki.create(dir, "other");
        ServerTls tls = ServerTls.load(TlsSettings.of("management.ssl", server.certFile(), server.keyFile()));
        Broker broker = new Broker(Users.withDefaultUser("guest", "guest"));
        loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        broker.restore(Map.of(), Optional.empty(), List.of(), loop::next);
        Path dataDir = Files.createDirectories(dir.resolve("data"));
        // every interface, as the broker listens by default: 127.0.0.2 reaches it under a name the certificate lacks
        management = ManagementServer.start(broker, ManagementSettings.defaults().withHost("").withPort(0)
                .withDataDir(dataDir).withAmqpPort(0).withHttps(0, tls::newHandler, pki.caFile()));
    }

    @AfterAll
    static void stop() {
        if (management != null) {
            management.close();
        }
        if (loop != null) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static String https(String host) {
        return "https://" + host + ":" + management.httpsPort();
    }

    /** No local node to fall back on: only --node counts. */
    private static Map<String, String> noLocalNode() {
        return Map.of("WARREN_DATA_DIR", dir.resolve("no-node-here").toString());
    }

    private static void assertNoStackTrace(CliRun run) {
        assertFalse(run.err().contains("\tat ") || run.err().contains("Exception:"), "no stack trace: " + run);
    }

    @Test
    void anHttpsNodeIsReachedWithTheCaNamedByCacertfile() {
        CliRun run = CliRun.run(noLocalNode(), "--node", https("localhost"), "--cacertfile", pki.caFile().toString(),
                "list_users");
        assertEquals(ExitCodes.OK, run.exit(), run.toString());
        assertTrue(run.out().contains("guest\t[administrator]\n"), run.toString());

        CliRun byAddress = CliRun.run(noLocalNode(), "-n", https("127.0.0.1"), "--cacertfile=" + pki.caFile(), "-q",
                "list_vhosts");
        assertEquals(ExitCodes.OK, byAddress.exit(), byAddress.toString());
        assertTrue(byAddress.out().contains("/\n"), byAddress.toString());
    }

    @Test
    void theCaBundleMayComeFromTheEnvironment() {
        Map<String, String> env = new HashMap<>(noLocalNode());
        env.put("WARREN_CTL_CACERTFILE", pki.caFile().toString());
        CliRun run = CliRun.run(env, "--node", https("localhost"), "status");
        assertEquals(ExitCodes.OK, run.exit(), run.toString());
        assertTrue(run.out().startsWith("Status of node " + https("localhost") + " ...\n"), run.toString());

        env.put("WARREN_CTL_CACERTFILE", otherCa.caFile().toString());
        CliRun option = CliRun.run(env, "--node", https("localhost"), "--cacertfile", pki.caFile().toString(), "-q",
                "list_users");
        assertEquals(ExitCodes.OK, option.exit(), "--cacertfile wins over the variable: " + option);
    }

    @Test
    void aCertificateTheCaDoesNotVouchForFailsWith69SayingSo() {
        CliRun run = CliRun.run(noLocalNode(), "--node", https("localhost"), "--cacertfile", otherCa.caFile().toString(),
                "list_users");
        assertEquals(ExitCodes.UNAVAILABLE, run.exit(), run.toString());
        assertEquals("Listing users ...\n", run.out(), "the banner, then nothing");
        assertTrue(run.err().startsWith("Error: unable to perform an operation on node '" + https("localhost") + "'. "
                + "The node's TLS certificate is not issued by a CA in " + otherCa.caFile()), run.toString());
        assertNoStackTrace(run);
    }

    @Test
    void withoutACaBundleOnlyTheJvmsTrustedCasCountAndTheMessageSaysHowToNameOne() {
        CliRun run = CliRun.run(noLocalNode(), "--node", https("localhost"), "list_users");
        assertEquals(ExitCodes.UNAVAILABLE, run.exit(), run.toString());
        assertTrue(run.err().contains("The node's TLS certificate is not issued by a CA the JVM trusts"), run.toString());
        assertTrue(run.err().contains("issued by a CA in --cacertfile FILE (else\nWARREN_CTL_CACERTFILE, else the JVM's trusted CAs)"),
                run.toString());
        assertNoStackTrace(run);
    }

    @Test
    void aCertificateThatDoesNotNameTheHostFailsWith69EvenFromTheTrustedCa() {
        // 127.0.0.2 is loopback too, but the certificate names only localhost, 127.0.0.1 and ::1
        CliRun run = CliRun.run(noLocalNode(), "--node", https("127.0.0.2"), "--cacertfile", pki.caFile().toString(),
                "list_users");
        assertEquals(ExitCodes.UNAVAILABLE, run.exit(), run.toString());
        assertTrue(run.err().contains("The node's TLS certificate does not name the host 127.0.0.2"), run.toString());
        assertNoStackTrace(run);
    }

    @Test
    void httpsToThePlainHttpPortFailsWith69() {
        CliRun run = CliRun.run(noLocalNode(), "--node", "https://127.0.0.1:" + management.port(), "--cacertfile",
                pki.caFile().toString(), "list_users");
        assertEquals(ExitCodes.UNAVAILABLE, run.exit(), run.toString());
        assertTrue(run.err().contains("The TLS handshake failed: "), run.toString());
        assertNoStackTrace(run);
    }

    @Test
    void aCaBundleThatCannotBeReadOrHoldsNoCertificateIsABadArgument() throws Exception {
        Path missing = dir.resolve("missing-ca.pem");
        CliRun absent = CliRun.run(noLocalNode(), "--node", https("localhost"), "--cacertfile", missing.toString(),
                "list_users");
        assertEquals(ExitCodes.DATAERR, absent.exit(), absent.toString());
        assertTrue(absent.err().startsWith("Error (argument validation): --cacertfile " + missing + ": no such file"),
                absent.toString());

        CliRun key = CliRun.run(noLocalNode(), "--node", https("localhost"), "--cacertfile", server.keyFile().toString(),
                "list_users");
        assertEquals(ExitCodes.DATAERR, key.exit(), "a key is no CA certificate: " + key);
        assertTrue(key.err().contains("--cacertfile " + server.keyFile()), key.toString());
        assertNoStackTrace(key);

        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        CliRun none = CliRun.run(noLocalNode(), "--node", https("localhost"), "--cacertfile", empty.toString(),
                "list_users");
        assertEquals(ExitCodes.DATAERR, none.exit(), none.toString());
        assertTrue(none.err().contains("no certificate in it"), none.toString());
    }

    @Test
    void theLocalNodeIsStillReachedOverHttpWithItsSecretWhateverCaBundleIsSet() {
        Map<String, String> env = Map.of("WARREN_DATA_DIR", dir.resolve("data").toString(),
                "WARREN_CTL_CACERTFILE", otherCa.caFile().toString());
        CliRun run = CliRun.run(env, "status");
        assertEquals(ExitCodes.OK, run.exit(), run.toString());
        assertTrue(run.out().startsWith("Status of node http://127.0.0.1:" + management.port() + " ...\n"), run.toString());
        CliRun option = CliRun.run(env, "--cacertfile", dir.resolve("missing-ca.pem").toString(), "-q", "list_users");
        assertEquals(ExitCodes.OK, option.exit(), "an http node ignores the CA bundle: " + option);
    }
}
