package dev.warren.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A config file in RabbitMQ's sysctl-like format: one {@code key = value} per line; blank lines and
 * {@code #} comments (a whole line, or from a {@code #} that follows whitespace) are ignored. A key
 * given twice takes its last value, as in RabbitMQ. Every key and value is checked against {@link Settings},
 * and an error names the file, the line and what the key accepts.
 */
final class ConfigFile {
    private record Entry(int line, String key, String value) {
    }

    private final Path path;
    private final List<Entry> entries;

    private ConfigFile(Path path, List<Entry> entries) {
        this.path = path;
        this.entries = entries;
    }

    static ConfigFile read(Path path) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + path + ": no such file");
        } catch (IOException e) {
            throw new ConfigException("config file " + path + ": cannot read it (" + e + ")");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = stripComment(lines.get(i)).trim();
            if (text.isEmpty()) {
                continue;
            }
            int equals = text.indexOf('=');
            String key = equals < 0 ? "" : text.substring(0, equals).trim();
            if (key.isEmpty()) {
                throw new ConfigException("config file " + path + " line " + (i + 1) + ": expected 'key = value', got '"
                        + text + "'");
            }
            entries.add(new Entry(i + 1, key, text.substring(equals + 1).trim()));
        }
        return new ConfigFile(path, entries);
    }

    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    ServerConfig applyTo(ServerConfig config) throws ConfigException {
        for (Entry e : entries) {
            Settings.Setting setting = Settings.forKey(e.key()).orElseThrow(() -> new ConfigException(
                    "config file " + path + " line " + e.line() + ": unknown key '" + e.key() + "'; known keys: "
                            + Settings.knownKeys()));
            String where = "config file " + path + " line " + e.line() + ": " + e.key();
            config = setting.apply(config, e.key(), e.value(), where);
        }
        return config;
    }
}
