package dev.warren.mgmt.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeTargetTest {
    @TempDir
    Path tmp;

    private static Invocation args(String... args) {
        return ArgParser.parse(args);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theDataDirectoryIsTheOptionThenTheEnvironmentThenTheHomeDefault() {
        Map<String, String> env = Map.of("WARREN_DATA_DIR", "/from/env", "HOME", "/home/w");
        assertEquals(Path.of("/from/option"), NodeTarget.dataDir(args("status", "--data-dir", "/from/option"), env));
        assertEquals(Path.of("/from/env"), NodeTarget.dataDir(args("status"), env));
        assertEquals(Path.of("/home/w/.warren/data"), NodeTarget.dataDir(args("status"), Map.of("HOME", "/home/w")));
        assertEquals(Path.of("/home/w/.warren/data"),
                NodeTarget.dataDir(args("status"), Map.of("HOME", "/home/w", "WARREN_DATA_DIR", "")));
    }

    @Test
    void theLocalNodeIsReachedWithTheSecretFromItsDataDirectory() throws Exception {
        Files.writeString(tmp.resolve("warrenctl.json"), "{\"url\":\"http://127.0.0.1:15999\",\"secret\":\"s3cr3t\"}");
        NodeTarget target = NodeTarget.resolve(args("status", "--data-dir", tmp.toString()), Map.of());
        assertEquals("http://127.0.0.1:15999", target.baseUri().toString());
        assertEquals("Bearer s3cr3t", target.authorization());
    }

    @Test
    void aMissingNodeFileMeansTheNodeIsUnavailable() {
        CliException e = assertThrows(CliException.class,
                () -> NodeTarget.resolve(args("status"), Map.of("WARREN_DATA_DIR", tmp.toString())));
        assertEquals(ExitCodes.UNAVAILABLE, e.exitCode());
        assertTrue(e.getMessage().startsWith("Error: unable to perform an operation on node"), e.getMessage());
        assertTrue(e.getMessage().contains("warrenctl.json"), e.getMessage());
    }

    @Test
    void aMalformedNodeFileMeansTheNodeIsUnavailable() throws Exception {
        Files.writeString(tmp.resolve("warrenctl.json"), "{not json");
        CliException e = assertThrows(CliException.class,
                () -> NodeTarget.resolve(args("status", "--data-dir", tmp.toString()), Map.of()));
        assertEquals(ExitCodes.UNAVAILABLE, e.exitCode());
    }

    @Test
    void aRemoteNodeUsesBasicAuthAsGuestUnlessToldOtherwise() {
        NodeTarget guest = NodeTarget.resolve(args("status", "--node", "http://broker:15672"), Map.of());
        assertEquals(basic("guest", "guest"), guest.authorization());
        NodeTarget alex = NodeTarget.resolve(args("status", "-n", "broker", "--username", "alex", "--password", "123"), Map.of());
        assertEquals(basic("alex", "123"), alex.authorization());
        assertEquals("http://broker:15672", alex.baseUri().toString());
    }

    @Test
    void theCaBundleIsTheOptionThenTheEnvironmentElseNoneForTheJvmsTrustedCas() {
        Map<String, String> env = Map.of("WARREN_CTL_CACERTFILE", "/from/env/ca.pem", "HOME", "/home/w");
        assertEquals(Path.of("/from/option/ca.pem"),
                NodeTarget.caFile(args("status", "--cacertfile", "/from/option/ca.pem"), env));
        assertEquals(Path.of("/from/env/ca.pem"), NodeTarget.caFile(args("status"), env));
        assertEquals(Path.of("/home/w/ca.pem"), NodeTarget.caFile(args("status", "--cacertfile", "~/ca.pem"), env));
        assertNull(NodeTarget.caFile(args("status"), Map.of("WARREN_CTL_CACERTFILE", "")));
        NodeTarget target = NodeTarget.resolve(args("status", "--node", "https://broker:15671", "--cacertfile", "/ca.pem"),
                Map.of());
        assertTrue(target.https());
        assertEquals(Path.of("/ca.pem"), target.caFile());
        assertFalse(NodeTarget.resolve(args("status", "--node", "broker"), Map.of()).https());
    }

    @Test
    void nodeAddressesMayBeUrlsHostPortsOrRabbitmqctlNodeNames() {
        assertEquals("http://h:15672", NodeTarget.nodeUri("h").toString());
        assertEquals("http://h:8080", NodeTarget.nodeUri("h:8080").toString());
        assertEquals("http://h:15672", NodeTarget.nodeUri("rabbit@h").toString());
        assertEquals("https://h:443/mgmt", NodeTarget.nodeUri("https://h:443/mgmt/").toString());
        assertEquals("http://[::1]:15672", NodeTarget.nodeUri("[::1]").toString());
        CliException e = assertThrows(CliException.class, () -> NodeTarget.nodeUri("ftp://h"));
        assertEquals(ExitCodes.USAGE, e.exitCode());
    }

    @Test
    void pathSegmentsArePercentEncodedAsRabbitmqsApiExpects() {
        assertEquals("%2F", NodeClient.segment("/"));
        assertEquals("my%20queue", NodeClient.segment("my queue"));
        assertEquals("a%2Bb", NodeClient.segment("a+b"));
    }
}
