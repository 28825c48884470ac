package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etc/warren.conf, the config file the distribution ships, documents every key with its default: each
 * default is a line "# key = value", which uncommented gives exactly the built-in setting.
 */
class ConfigDocumentationTest {
    private static final Path SHIPPED = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .resolve("etc").resolve("warren.conf");
    /** "# key = value" at the start of a line: a documented default. */
    private static final Pattern DEFAULT_LINE = Pattern.compile("(?m)^# ([a-z][a-z0-9_.]*) = (.*)$");
    /**
     * Keys with no default value, documented in the comment text instead (management.tcp.port's default, 15672,
     * holds only without management.ssl.port).
     */
    private static final Set<String> NO_DEFAULT = Set.of("vm_memory_high_watermark.absolute", "loopback_users",
            "listeners.ssl.default", "ssl_options.cacertfile", "ssl_options.certfile", "ssl_options.keyfile",
            "ssl_options.password", "ssl_options.versions.NAME", "ssl_options.ciphers.NAME", "auth_mechanisms.NAME",
            "management.ssl.port", "management.ssl.cacertfile", "management.ssl.certfile", "management.ssl.keyfile",
            "management.ssl.password", "management.tcp.port", "nodename", "cluster_formation.peer_discovery_backend",
            "cluster_formation.classic_config.nodes.NAME", "cluster.ssl_options.cacertfile", "cluster.ssl_options.certfile",
            "cluster.ssl_options.keyfile", "cluster.cookie_file");

    @TempDir
    Path dir;

    @Test
    void everyKeyIsDocumentedWithItsDefaultValue() throws Exception {
        String text = Files.readString(SHIPPED);
        Set<String> documented = new TreeSet<>();
        Matcher m = DEFAULT_LINE.matcher(text);
        while (m.find()) {
            documented.add(Settings.forKey(m.group(1)).orElseThrow(
                    () -> new AssertionError("etc/warren.conf documents an unknown key: " + m.group())).display());
        }
        Set<String> expected = new TreeSet<>();
        for (Settings.Setting setting : Settings.ALL) {
            if (NO_DEFAULT.contains(setting.display())) {
                assertTrue(text.contains(setting.key() + (setting.family() ? "." : " = ")),
                        setting.key() + " is not described in etc/warren.conf");
            } else {
                expected.add(setting.display());
            }
        }
        assertEquals(expected, documented, "keys with a '# key = default' line in etc/warren.conf");
    }

    @Test
    void theDocumentedDefaultsAreTheBuiltInDefaults() throws Exception {
        List<String> uncommented = new ArrayList<>();
        Matcher m = DEFAULT_LINE.matcher(Files.readString(SHIPPED));
        while (m.find()) {
            uncommented.add(m.group(1) + " = " + m.group(2));
        }
        Path conf = Files.writeString(dir.resolve("defaults.conf"), String.join("\n", uncommented) + "\n");
        assertEquals(ServerConfig.builtIn(), ServerConfig.load(new String[] {"--config", conf.toString()}, Map.of()));
    }

    @Test
    void theShippedFileAsItIsLoadsAsTheDefaults() throws Exception {
        assertEquals(ServerConfig.builtIn(),
                ServerConfig.load(new String[] {"--config", SHIPPED.toString()}, Map.of()));
    }
}
