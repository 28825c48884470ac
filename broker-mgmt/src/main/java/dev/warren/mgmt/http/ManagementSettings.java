package dev.warren.mgmt.http;

import java.nio.file.Path;

/**
 * How the management HTTP server listens.
 *
 * @param host           interface to bind; "" means every interface (IPv6 and IPv4), as RabbitMQ's default
 * @param port           TCP port; 0 picks a free one (tests). Whether management runs at all is the caller's choice
 * @param dataDir        where {@code warrenctl.json} (URL and local secret for warrenctl) is written; null: nowhere
 * @param amqpPort       the AMQP listener's port, reported in /api/overview's listeners (0: not listed)
 * @param productVersion reported as product_version in /api/overview
 */
public record ManagementSettings(String host, int port, Path dataDir, int amqpPort, String productVersion) {
    /** RabbitMQ's management port. */
    public static final int DEFAULT_PORT = 15672;

    public ManagementSettings {
        host = host == null ? "" : host;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("management port out of range: " + port);
        }
        productVersion = productVersion == null ? "unknown" : productVersion;
    }

    /** Every interface, port 15672, no data directory, AMQP on 5672. */
    public static ManagementSettings defaults() {
        return new ManagementSettings("", DEFAULT_PORT, null, 5672, versionOfThisBuild());
    }

    public ManagementSettings withHost(String newHost) {
        return new ManagementSettings(newHost, port, dataDir, amqpPort, productVersion);
    }

    public ManagementSettings withPort(int newPort) {
        return new ManagementSettings(host, newPort, dataDir, amqpPort, productVersion);
    }

    public ManagementSettings withDataDir(Path newDataDir) {
        return new ManagementSettings(host, port, newDataDir, amqpPort, productVersion);
    }

    public ManagementSettings withAmqpPort(int newAmqpPort) {
        return new ManagementSettings(host, port, dataDir, newAmqpPort, productVersion);
    }

    public ManagementSettings withProductVersion(String newVersion) {
        return new ManagementSettings(host, port, dataDir, amqpPort, newVersion);
    }

    private static String versionOfThisBuild() {
        String version = ManagementSettings.class.getPackage().getImplementationVersion();
        return version == null ? "0.1.0" : version;
    }
}
