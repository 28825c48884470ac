package dev.warren.server;

import dev.warren.amqp.tls.ServerTls;
import dev.warren.amqp.tls.TlsConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The TLS contexts of the AMQPS and management HTTPS listeners, loaded (and so checked) before anything
 * listens, and reloaded when their files change: every {@link #CHECK_SECONDS} seconds the certificate, key
 * and CA files' modification times are compared, and a changed set is loaded for new connections — a
 * renewed certificate needs no restart. A change that does not load is logged and the old context kept.
 */
final class TlsListeners implements AutoCloseable {
    static final int CHECK_SECONDS = 5;

    private final ServerTls amqp;
    private final ServerTls management;
    private ScheduledExecutorService watcher;

    private TlsListeners(ServerTls amqp, ServerTls management) {
        this.amqp = amqp;
        this.management = management;
    }

    /** Loads what the config asks for; a setting that cannot work is a {@link ConfigException} naming it. */
    static TlsListeners load(TlsConfig config) throws ConfigException {
        ServerTls amqp = config.amqpsPort() < 0 ? null
                : load(config.amqp().toSettings("ssl_options", "listeners.ssl.default"));
        ServerTls management = config.mgmtSslPort() < 0 ? null
                : load(config.mgmt().toSettings("management.ssl", "management.ssl.port"));
        return new TlsListeners(amqp, management);
    }

    private static ServerTls load(dev.warren.amqp.tls.TlsSettings settings) throws ConfigException {
        try {
            return ServerTls.load(settings);
        } catch (TlsConfigException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** The AMQPS context, or null when listeners.ssl.default is not set. */
    ServerTls amqp() {
        return amqp;
    }

    /** The management HTTPS context, or null when management.ssl.port is not set. */
    ServerTls management() {
        return management;
    }

    /** Starts checking the files for changes (nothing to do without TLS). */
    void watchForChanges() {
        List<ServerTls> all = new ArrayList<>();
        if (amqp != null) {
            all.add(amqp);
        }
        if (management != null) {
            all.add(management);
        }
        if (all.isEmpty()) {
            return;
        }
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warren-tls-reload");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(() -> all.forEach(ServerTls::reloadIfChanged), CHECK_SECONDS, CHECK_SECONDS,
                TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }
}
