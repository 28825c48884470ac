package dev.warren.server;

import dev.warren.amqp.tls.TlsSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * TLS and authentication as RabbitMQ's config keys give them: the AMQPS listener ({@code listeners.ssl.default})
 * with {@code ssl_options.*}, management over HTTPS ({@code management.ssl.port} with
 * {@code management.ssl.*}), the SASL mechanisms offered ({@code auth_mechanisms.N}) and where EXTERNAL takes
 * the user name from ({@code ssl_cert_login_from}).
 *
 * @param amqpsPort  -1: no AMQPS listener (RabbitMQ's default)
 * @param mgmtSslPort -1: no HTTPS for management
 */
public record TlsConfig(String amqpsHost, int amqpsPort, Options amqp, int mgmtSslPort, Options mgmt,
                        Map<Integer, String> authMechanisms, boolean certLoginFromCommonName) {
    public TlsConfig {
        authMechanisms = Map.copyOf(authMechanisms);
    }

    public static TlsConfig defaults() {
        return new TlsConfig("", -1, Options.NONE, -1, Options.NONE, Map.of(), false);
    }

    /**
     * One listener's ssl options; versions and ciphers keyed by the N of {@code versions.N}, in that order.
     */
    public record Options(Path cacertfile, Path certfile, Path keyfile, String password, boolean verifyPeer,
                          boolean failIfNoPeerCert, Map<Integer, String> versions, Map<Integer, String> ciphers,
                          boolean honorCipherOrder) {
        static final Options NONE = new Options(null, null, null, null, false, false, Map.of(), Map.of(), true);

        public Options {
            versions = new TreeMap<>(versions);
            ciphers = new TreeMap<>(ciphers);
        }

        Options with(java.util.function.UnaryOperator<Builder> change) {
            return change.apply(new Builder(this)).build();
        }

        /**
         * The listener's {@link TlsSettings}; {@code prefix} names the keys in messages. Certificate and key
         * must be set; versions are RabbitMQ's names (tlsv1.2, tlsv1.3).
         */
        TlsSettings toSettings(String prefix, String enabledBy) throws ConfigException {
            if (certfile == null || keyfile == null) {
                throw new ConfigException(enabledBy + " is set, so " + prefix + "." + (certfile == null ? "certfile" : "keyfile")
                        + " must name a PEM file");
            }
            List<String> javaVersions = new java.util.ArrayList<>();
            for (Map.Entry<Integer, String> v : versions.entrySet()) {
                String name = TlsSettings.javaVersionName(v.getValue());
                if (name == null) {
                    throw new ConfigException(prefix + ".versions." + v.getKey() + ": invalid value '" + v.getValue()
                            + "', expected tlsv1.2 or tlsv1.3 (or tlsv1.1, tlsv1)");
                }
                javaVersions.add(name);
            }
            return new TlsSettings(prefix, certfile, keyfile, cacertfile, password, verifyPeer, failIfNoPeerCert,
                    javaVersions.isEmpty() ? TlsSettings.DEFAULT_VERSIONS : javaVersions, List.copyOf(ciphers.values()),
                    honorCipherOrder);
        }

        /** Never shows the password. */
        @Override
        public String toString() {
            return "{cacertfile=" + cacertfile + ", certfile=" + certfile + ", keyfile=" + keyfile + ", verify_peer=" + verifyPeer
                    + ", fail_if_no_peer_cert=" + failIfNoPeerCert + ", versions=" + versions.values() + ", ciphers="
                    + ciphers.values() + "}";
        }
    }

    static final class Builder {
        Path cacertfile;
        Path certfile;
        Path keyfile;
        String password;
        boolean verifyPeer;
        boolean failIfNoPeerCert;
        Map<Integer, String> versions;
        Map<Integer, String> ciphers;
        boolean honorCipherOrder;

        Builder(Options o) {
            cacertfile = o.cacertfile;
            certfile = o.certfile;
            keyfile = o.keyfile;
            password = o.password;
            verifyPeer = o.verifyPeer;
            failIfNoPeerCert = o.failIfNoPeerCert;
            versions = new TreeMap<>(o.versions);
            ciphers = new TreeMap<>(o.ciphers);
            honorCipherOrder = o.honorCipherOrder;
        }

        Options build() {
            return new Options(cacertfile, certfile, keyfile, password, verifyPeer, failIfNoPeerCert, versions, ciphers,
                    honorCipherOrder);
        }
    }

    public TlsConfig withAmqps(String host, int port) {
        return new TlsConfig(host, port, amqp, mgmtSslPort, mgmt, authMechanisms, certLoginFromCommonName);
    }

    public TlsConfig withAmqp(java.util.function.UnaryOperator<Builder> change) {
        return new TlsConfig(amqpsHost, amqpsPort, amqp.with(change), mgmtSslPort, mgmt, authMechanisms, certLoginFromCommonName);
    }

    public TlsConfig withMgmtSslPort(int port) {
        return new TlsConfig(amqpsHost, amqpsPort, amqp, port, mgmt, authMechanisms, certLoginFromCommonName);
    }

    public TlsConfig withMgmt(java.util.function.UnaryOperator<Builder> change) {
        return new TlsConfig(amqpsHost, amqpsPort, amqp, mgmtSslPort, mgmt.with(change), authMechanisms, certLoginFromCommonName);
    }

    public TlsConfig withAuthMechanism(int position, String mechanism) {
        Map<Integer, String> next = new TreeMap<>(authMechanisms);
        next.put(position, mechanism);
        return new TlsConfig(amqpsHost, amqpsPort, amqp, mgmtSslPort, mgmt, next, certLoginFromCommonName);
    }

    public TlsConfig withCertLoginFromCommonName(boolean commonName) {
        return new TlsConfig(amqpsHost, amqpsPort, amqp, mgmtSslPort, mgmt, authMechanisms, commonName);
    }

    /** The mechanisms in the order of their N, or RabbitMQ's default (PLAIN, AMQPLAIN) when none is set. */
    public List<String> mechanisms() {
        return authMechanisms.isEmpty() ? List.of("PLAIN", "AMQPLAIN") : List.copyOf(new TreeMap<>(authMechanisms).values());
    }
}
