package dev.warren.server;

import java.nio.file.Path;

/**
 * The command-line flags. Each takes its value as the next argument or after {@code =}
 * ({@code --amqp-port 5673} or {@code --amqp-port=5673}). Anything else is an error, so a typo never
 * goes unnoticed. Fields are null when the flag is absent.
 */
record CommandLine(Integer amqpPort, Integer mgmtPort, Path dataDir, Path configFile, boolean help) {
    static final String USAGE = """
            Usage: warren-server [--amqp-port N] [--mgmt-port N] [--data-dir DIR] [--config FILE] [--help]

              --amqp-port N    AMQP 0-9-1 port (default 5672; env WARREN_AMQP_PORT); the interface stays
                               the one listeners.tcp.default names
              --mgmt-port N    management HTTP port, 0 for none (management.tcp.port, default 15672)
              --data-dir DIR   data directory (warren.data_dir, default ~/.warren/data)
              --config FILE    config file, RabbitMQ style 'key = value' lines (env WARREN_CONFIG_FILE;
                               the launcher's default is etc/warren.conf, which documents every key)
              --help           print this help and exit

            A flag overrides a WARREN_* environment variable, which overrides the config file. Every
            config key has a variable: WARREN_ and the key in upper case, dots as underscores, without a
            leading 'warren.' (heartbeat: WARREN_HEARTBEAT, warren.data_dir: WARREN_DATA_DIR).
            Extra JVM options go in WARREN_JAVA_OPTS.""";

    private static final String ALLOWED =
            "allowed flags: --amqp-port N, --mgmt-port N, --data-dir DIR, --config FILE, --help";

    static CommandLine parse(String[] args) throws ConfigException {
        Integer amqpPort = null;
        Integer mgmtPort = null;
        Path dataDir = null;
        Path configFile = null;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String flag = arg;
            String value = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                flag = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            }
            switch (flag) {
                case "--help", "-h" -> help = true;
                case "--amqp-port", "--mgmt-port", "--data-dir", "--config" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new ConfigException("flag " + flag + " needs a value; " + ALLOWED);
                        }
                        value = args[++i];
                    }
                    String where = "flag " + flag;
                    switch (flag) {
                        case "--amqp-port" -> amqpPort = ConfigValues.port(value, where);
                        case "--mgmt-port" -> mgmtPort = ConfigValues.port(value, where);
                        case "--data-dir" -> dataDir = ConfigValues.path(value, where);
                        default -> configFile = ConfigValues.path(value, where);
                    }
                }
                default -> throw new ConfigException(
                        (arg.startsWith("-") ? "unknown flag '" : "unexpected argument '") + arg + "'; " + ALLOWED);
            }
        }
        return new CommandLine(amqpPort, mgmtPort, dataDir, configFile, help);
    }

    ServerConfig applyTo(ServerConfig config) {
        if (amqpPort != null) {
            config = config.withAmqpPort(amqpPort);
        }
        if (mgmtPort != null) {
            config = config.withMgmtPort(mgmtPort);
        }
        if (dataDir != null) {
            config = config.withDataDir(dataDir);
        }
        return config;
    }
}
