package dev.warren.server;

import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code WARREN_*} environment variables: one per config key (see {@link Settings} for the names),
 * {@code WARREN_CONFIG_FILE}, and {@code WARREN_AMQP_PORT}, which like {@code --amqp-port} changes only the
 * port of listeners.tcp.default. An empty variable counts as unset. Other {@code WARREN_*} names are left
 * alone: the launcher reads {@code WARREN_JAVA_OPTS}, for one.
 */
final class EnvironmentConfig {
    static final String CONFIG_FILE = "WARREN_CONFIG_FILE";
    static final String AMQP_PORT = "WARREN_AMQP_PORT";

    private EnvironmentConfig() {
    }

    static Path configFile(Map<String, String> env) throws ConfigException {
        String file = value(env, CONFIG_FILE);
        return file == null ? null : ConfigValues.path(file, where(CONFIG_FILE));
    }

    static ServerConfig applyTo(ServerConfig config, Map<String, String> env) throws ConfigException {
        for (Settings.Setting setting : Settings.ALL) {
            String name = setting.env();
            String v = name == null ? null : value(env, name);
            if (v != null) {
                config = setting.apply(config, setting.key(), v, where(name));
            }
        }
        String port = value(env, AMQP_PORT);
        if (port != null) {
            config = config.withAmqpPort(ConfigValues.port(port, where(AMQP_PORT)));
        }
        return config;
    }

    private static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    private static String where(String name) {
        return "environment variable " + name;
    }
}
