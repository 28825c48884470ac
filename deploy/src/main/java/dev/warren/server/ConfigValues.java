package dev.warren.server;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Parsers for setting values, shared by the command line, the environment and the config file. Each
 * takes a {@code where} ("flag --amqp-port", "config file x.conf line 3: heartbeat") to build its error.
 */
final class ConfigValues {
    /** A listener address: host may be empty, meaning every interface. */
    record Listener(String host, int port) {
    }

    private ConfigValues() {
    }

    static int port(String raw, String where) throws ConfigException {
        return intIn(raw, 0, 65535, where, "a TCP port number between 0 and 65535");
    }

    static int heartbeat(String raw, String where) throws ConfigException {
        return intIn(raw, 0, 65535, where, "seconds between 0 and 65535 (0 disables heartbeats)");
    }

    static int frameMax(String raw, String where) throws ConfigException {
        return intIn(raw, 4096, Integer.MAX_VALUE, where, "bytes between 4096 and 2147483647");
    }

    static int channelMax(String raw, String where) throws ConfigException {
        return intIn(raw, 1, 65535, where, "a number between 1 and 65535");
    }

    /** RabbitMQ's consumer_timeout: milliseconds, a positive integer as its schema requires. */
    static long consumerTimeout(String raw, String where) throws ConfigException {
        try {
            long value = Long.parseLong(raw.trim());
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, with what is allowed
        }
        throw invalid(raw, where, "milliseconds, a whole number of at least 1 (1800000 is 30 minutes)");
    }

    /** A number of event loops, or "auto" (0): {@link dev.warren.amqp.AmqpServer#defaultEventLoops}. */
    static int eventLoops(String raw, String where) throws ConfigException {
        if (raw.trim().equals("auto")) {
            return 0;
        }
        return intIn(raw, 1, 1024, where, "'auto' or a number of event loops between 1 and 1024");
    }

    static int intIn(String raw, int min, int max, String where, String allowed) throws ConfigException {
        try {
            int value = Integer.parseInt(raw.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, with what is allowed
        }
        throw invalid(raw, where, allowed);
    }

    /**
     * A port ({@code 5672}), or host and port as RabbitMQ writes them: {@code 127.0.0.1:5672},
     * {@code [::1]:5672} or {@code ::1:5672} (the port is after the last colon).
     */
    static Listener listener(String raw, String where) throws ConfigException {
        String allowed = "a port (5672) or host:port (127.0.0.1:5672, [::1]:5672)";
        String value = raw.trim();
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            return new Listener("", intIn(value, 0, 65535, where, allowed));
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String port = value.substring(colon + 1);
        if (host.isEmpty() || host.contains("[") || host.contains("]") || host.contains(" ")
                || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
            throw invalid(raw, where, allowed); // the whole value, as written, in the message
        }
        return new Listener(host, Integer.parseInt(port));
    }

    static String nonEmpty(String raw, String where) throws ConfigException {
        String value = raw.trim();
        if (value.isEmpty()) {
            throw invalid(raw, where, "a non-empty string");
        }
        return value;
    }

    /** A file or directory path; a leading {@code ~/} means the user's home, as a shell would expand it. */
    static Path path(String raw, String where) throws ConfigException {
        String value = nonEmpty(raw, where);
        try {
            if (value.equals("~") || value.startsWith("~/")) {
                return Path.of(System.getProperty("user.home"), value.substring(1)).toAbsolutePath().normalize();
            }
            return Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw invalid(raw, where, "a file or directory path");
        }
    }

    private static final String BYTES = "a size in bytes, optionally with a unit: kB, MB, GB (powers of 1000) or "
            + "k/kiB, m/MiB, g/GiB (powers of 1024), e.g. 50MB";

    /** A size as RabbitMQ writes them (disk_free_limit.absolute = 50MB): bytes, or a number and a unit. */
    static long bytes(String raw, long min, String where) throws ConfigException {
        String value = raw.trim();
        int split = 0;
        while (split < value.length() && Character.isDigit(value.charAt(split))) {
            split++;
        }
        if (split == 0) {
            throw invalid(raw, where, BYTES);
        }
        long multiplier = switch (value.substring(split).trim()) {
            case "" -> 1;
            case "kB", "KB" -> 1000L;
            case "MB" -> 1000L * 1000;
            case "GB" -> 1000L * 1000 * 1000;
            case "k", "K", "kiB", "KiB" -> 1024L;
            case "m", "M", "MiB" -> 1024L * 1024;
            case "g", "G", "GiB" -> 1024L * 1024 * 1024;
            default -> throw invalid(raw, where, BYTES);
        };
        try {
            long bytes = Math.multiplyExact(Long.parseLong(value.substring(0, split)), multiplier);
            if (bytes < min) {
                throw invalid(raw, where, BYTES + ", at least " + min + " bytes");
            }
            return bytes;
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(raw, where, BYTES);
        }
    }

    /** RabbitMQ's collect_statistics_interval: milliseconds, here from 100 ms to an hour. */
    static long statisticsInterval(String raw, String where) throws ConfigException {
        return intIn(raw, 100, 3_600_000, where, "milliseconds from 100 to 3600000 (5000 is 5 seconds)");
    }

    /** management.rates_mode: RabbitMQ's basic and detailed both sample (the same series here); none does not. */
    static String ratesMode(String raw, String where) throws ConfigException {
        String value = raw.trim();
        if (!value.equals("basic") && !value.equals("detailed") && !value.equals("none")) {
            throw invalid(raw, where, "'basic' or 'detailed' (sample message rates) or 'none' (do not)");
        }
        return value;
    }

    static String fsync(String raw, String where) throws ConfigException {
        String value = raw.trim();
        if (!value.equals("always") && !value.equals("never")) {
            throw invalid(raw, where, "'always' (force to disk before confirming) or 'never' (leave it to the OS)");
        }
        return value;
    }

    static long segmentSize(String raw, String where) throws ConfigException {
        long bytes = bytes(raw, 4096, where);
        if (bytes > 0xFFFF_FFFFL) {
            throw invalid(raw, where, "a segment size of at most 4GiB");
        }
        return bytes;
    }

    static boolean bool(String raw, String where) throws ConfigException {
        return either(raw, where, "true", "false");
    }

    /** A setting of two values: true for {@code yes}, false for {@code no}. */
    private static boolean either(String raw, String where, String yes, String no) throws ConfigException {
        String value = raw.trim();
        if (value.equals(yes) || value.equals(no)) {
            return value.equals(yes);
        }
        throw invalid(raw, where, yes + " or " + no);
    }

    /** RabbitMQ's vm_memory_high_watermark.relative: a share of the machine's (or container's) memory. */
    static double fraction(String raw, String where) throws ConfigException {
        String allowed = "a fraction of the memory greater than 0 and at most 1, e.g. 0.6";
        String value = raw.trim();
        if (value.matches("[0-9]*\\.?[0-9]+")) {
            double fraction = Double.parseDouble(value);
            if (fraction > 0 && fraction <= 1) {
                return fraction;
            }
        }
        throw invalid(raw, where, allowed);
    }

    /** A heap size: below this the broker cannot hold its own structures next to the paging budget. */
    static final long MIN_HEAP = 64L << 20;

    static long heapSize(String raw, String where) throws ConfigException {
        long bytes = bytes(raw, 0, where);
        if (bytes < MIN_HEAP) {
            throw invalid(raw, where, "a heap size of at least 64MiB");
        }
        return bytes;
    }

    static LogConfig.Level logLevel(String raw, String where) throws ConfigException {
        String value = raw.trim().toLowerCase(Locale.ROOT);
        for (LogConfig.Level level : LogConfig.Level.values()) {
            if (level.rabbitName().equals(value)) {
                return level;
            }
        }
        throw invalid(raw, where, "one of debug, info, warning, error, critical, none");
    }

    /** log.file: a file name (relative to log.dir) or path, or {@code false} for no log file. */
    static String logFile(String raw, String where) throws ConfigException {
        String value = nonEmpty(raw, where);
        if (value.equals("false")) {
            return null;
        }
        try {
            Path.of(value);
        } catch (InvalidPathException e) {
            throw invalid(raw, where, "a file name, or false for no log file");
        }
        return value;
    }

    static int rotationCount(String raw, String where) throws ConfigException {
        // logback's fixed-window rotation keeps at most 20 archives
        return intIn(raw, 1, 20, where, "a number of archived log files between 1 and 20");
    }

    /** loopback_users as a whole: {@code none}, or user names separated by commas. */
    static Set<String> userList(String raw, String where) throws ConfigException {
        String value = raw.trim();
        if (value.equals("none")) {
            return Set.of();
        }
        Set<String> users = new LinkedHashSet<>();
        for (String name : value.split(",", -1)) {
            if (name.isBlank()) {
                throw invalid(raw, where, "none, or user names separated by commas (guest,monitor)");
            }
            users.add(name.trim());
        }
        return users;
    }

    /** RabbitMQ's max_message_size: bytes (units allowed), at most 512 MiB as RabbitMQ allows. */
    static long maxMessageSize(String raw, String where) throws ConfigException {
        long bytes = bytes(raw, 1, where);
        if (bytes > 512L << 20) {
            throw invalid(raw, where, "a size from 1 byte to 512MiB");
        }
        return bytes;
    }

    /** The N of a numbered key (ssl_options.versions.N, auth_mechanisms.N): a positive integer. */
    static int position(String member, String where) throws ConfigException {
        return intIn(member, 1, 1000, where, "a key ending in a number from 1 to 1000");
    }

    /** ssl_options.verify: verify_peer asks clients for a certificate and checks it; verify_none does not ask. */
    static boolean verify(String raw, String where) throws ConfigException {
        return either(raw, where, "verify_peer", "verify_none");
    }

    /** auth_mechanisms.N: one of the SASL mechanisms Warren has. */
    static String mechanism(String raw, String where) throws ConfigException {
        String value = raw.trim();
        if (!dev.warren.amqp.AmqpSettings.KNOWN_MECHANISMS.contains(value)) {
            throw invalid(raw, where, "PLAIN, AMQPLAIN or EXTERNAL");
        }
        return value;
    }

    /** ssl_cert_login_from: true for common_name, false for distinguished_name (RabbitMQ's default). */
    static boolean certLoginFrom(String raw, String where) throws ConfigException {
        return either(raw, where, "common_name", "distinguished_name");
    }

    /** A node name as RabbitMQ writes one, NAME@HOST. */
    static String nodename(String raw, String where) throws ConfigException {
        String name = raw.strip();
        int at = name.indexOf('@');
        if (at <= 0 || at == name.length() - 1 || name.chars().anyMatch(Character::isWhitespace)) {
            throw invalid(raw, where, "a node name NAME@HOST, e.g. warren@db1");
        }
        return name;
    }

    /** classic_config is the one peer discovery backend (RabbitMQ's long name is accepted too). */
    static String peerDiscovery(String raw, String where) throws ConfigException {
        String backend = raw.strip();
        if (backend.equals("classic_config") || backend.equals("rabbit_peer_discovery_classic_config")) {
            return ClusterConfig.CLASSIC_CONFIG;
        }
        throw invalid(raw, where, "classic_config (the cluster's nodes listed in cluster_formation.classic_config.nodes.N)");
    }

    static dev.warren.store.raft.ClusterPeer clusterNode(String raw, String where) throws ConfigException {
        try {
            return dev.warren.store.raft.ClusterPeer.parse(raw);
        } catch (IllegalArgumentException e) {
            throw invalid(raw, where, "a node NAME@HOST:PORT (its node name and inter-node port), e.g. warren2@10.0.0.2:25672");
        }
    }

    static long metadataTimeout(String raw, String where) throws ConfigException {
        return intIn(raw, 100, 3_600_000, where, "milliseconds between 100 and 3600000");
    }

    static ConfigException invalid(String raw, String where, String allowed) {
        return new ConfigException(where + ": invalid value '" + raw + "', expected " + allowed);
    }
}
