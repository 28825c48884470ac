package dev.warren.server;

import java.nio.file.Path;

/**
 * The command-line flags. Each takes its value as the next argument or after {@code =}
 * ({@code --amqp-port 5673} or {@code --amqp-port=5673}). Anything else is an error, so a typo never
 * goes unnoticed. Fields are null when the flag is absent.
 */
record CommandLine(Integer amqpPort, Path dataDir, Path configFile, boolean help) {
    static final String USAGE = """
            Usage: warren-server [--amqp-port N] [--data-dir DIR] [--config FILE] [--help]

              --amqp-port N    AMQP 0-9-1 port (default 5672; env WARREN_AMQP_PORT)
              --data-dir DIR   data directory (default $WARREN_DATA_DIR, else ~/.warren/data)
              --config FILE    config file, RabbitMQ style 'key = value' lines (env WARREN_CONFIG_FILE)
              --help           print this help and exit

            A flag overrides a WARREN_* environment variable, which overrides the config file.
            Config file keys: listeners.tcp.default, default_user, default_pass, heartbeat,
            frame_max, channel_max, warren.data_dir.""";

    private static final String ALLOWED = "allowed flags: --amqp-port N, --data-dir DIR, --config FILE, --help";

    static CommandLine parse(String[] args) throws ConfigException {
        Integer amqpPort = null;
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
                case "--amqp-port", "--data-dir", "--config" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new ConfigException("flag " + flag + " needs a value; " + ALLOWED);
                        }
                        value = args[++i];
                    }
                    String where = "flag " + flag;
                    switch (flag) {
                        case "--amqp-port" -> amqpPort = ConfigValues.port(value, where);
                        case "--data-dir" -> dataDir = ConfigValues.path(value, where);
                        default -> configFile = ConfigValues.path(value, where);
                    }
                }
                default -> throw new ConfigException(
                        (arg.startsWith("-") ? "unknown flag '" : "unexpected argument '") + arg + "'; " + ALLOWED);
            }
        }
        return new CommandLine(amqpPort, dataDir, configFile, help);
    }

    ServerConfig applyTo(ServerConfig config) {
        if (amqpPort != null) {
            config = config.withAmqpPort(amqpPort);
        }
        if (dataDir != null) {
            config = config.withDataDir(dataDir);
        }
        return config;
    }
}
