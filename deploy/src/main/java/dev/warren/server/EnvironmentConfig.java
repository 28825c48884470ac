package dev.warren.server;

import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code WARREN_*} environment variables. An empty variable counts as unset. Other {@code WARREN_*}
 * names are left alone: the launcher reads {@code WARREN_JAVA_OPTS}, for one.
 */
final class EnvironmentConfig {
    static final String CONFIG_FILE = "WARREN_CONFIG_FILE";

    private EnvironmentConfig() {
    }

    static Path configFile(Map<String, String> env) throws ConfigException {
        String file = value(env, CONFIG_FILE);
        return file == null ? null : ConfigValues.path(file, where(CONFIG_FILE));
    }

    static ServerConfig applyTo(ServerConfig config, Map<String, String> env) throws ConfigException {
        String v;
        if ((v = value(env, "WARREN_AMQP_PORT")) != null) {
            config = config.withAmqpPort(ConfigValues.port(v, where("WARREN_AMQP_PORT")));
        }
        if ((v = value(env, ServerConfig.DATA_DIR_ENV)) != null) {
            config = config.withDataDir(ConfigValues.path(v, where(ServerConfig.DATA_DIR_ENV)));
        }
        if ((v = value(env, "WARREN_DEFAULT_USER")) != null) {
            config = config.withDefaultUser(v);
        }
        if ((v = value(env, "WARREN_DEFAULT_PASS")) != null) {
            config = config.withDefaultPass(v);
        }
        if ((v = value(env, "WARREN_HEARTBEAT")) != null) {
            config = config.withHeartbeat(ConfigValues.heartbeat(v, where("WARREN_HEARTBEAT")));
        }
        if ((v = value(env, "WARREN_FRAME_MAX")) != null) {
            config = config.withFrameMax(ConfigValues.frameMax(v, where("WARREN_FRAME_MAX")));
        }
        if ((v = value(env, "WARREN_CHANNEL_MAX")) != null) {
            config = config.withChannelMax(ConfigValues.channelMax(v, where("WARREN_CHANNEL_MAX")));
        }
        if ((v = value(env, "WARREN_FSYNC")) != null) {
            config = config.withStorage(config.storage().withFsync(ConfigValues.fsync(v, where("WARREN_FSYNC"))));
        }
        if ((v = value(env, "WARREN_MEMORY_BUDGET")) != null) {
            config = config.withStorage(config.storage().withMemoryBudget(ConfigValues.bytes(v, 0, where("WARREN_MEMORY_BUDGET"))));
        }
        if ((v = value(env, "WARREN_DISK_FREE_LIMIT")) != null) {
            config = config.withStorage(config.storage().withDiskFreeLimit(ConfigValues.bytes(v, 0, where("WARREN_DISK_FREE_LIMIT"))));
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
