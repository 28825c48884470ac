package dev.warren.amqp.tls;

import java.nio.file.Path;
import java.util.List;

/**
 * A TLS listener's settings, as RabbitMQ's {@code ssl_options.*} keys give them (the management listener's
 * {@code management.ssl.*} too): PEM files for the certificate chain, its key (encrypted with
 * {@code password}, or not) and the CA bundle that client certificates must chain to; whether the peer is
 * asked for a certificate ({@code verify_peer}) and refused without one ({@code fail_if_no_peer_cert});
 * the protocol versions and cipher suites allowed, and whether the server's cipher order wins.
 *
 * @param keyPrefix  the config prefix the settings came from ("ssl_options", "management.ssl"), so errors
 *                   name the key to fix
 * @param caFile     null: the JDK's default trust store
 * @param versions   Java names ("TLSv1.3", "TLSv1.2")
 * @param ciphers    empty: the provider's defaults
 */
public record TlsSettings(String keyPrefix, Path certFile, Path keyFile, Path caFile, String password,
                          boolean verifyPeer, boolean failIfNoPeerCert, List<String> versions, List<String> ciphers,
                          boolean honorCipherOrder) {
    /** TLS 1.2 and 1.3, nothing older, as RabbitMQ 3.10 allows by default. */
    public static final List<String> DEFAULT_VERSIONS = List.of("TLSv1.3", "TLSv1.2");

    public TlsSettings {
        versions = List.copyOf(versions);
        ciphers = List.copyOf(ciphers);
    }

    /** Server settings from a certificate and key, no client certificates asked for, default versions and ciphers. */
    public static TlsSettings of(String keyPrefix, Path certFile, Path keyFile) {
        return new TlsSettings(keyPrefix, certFile, keyFile, null, null, false, false, DEFAULT_VERSIONS, List.of(), true);
    }

    public TlsSettings withCaFile(Path file) {
        return new TlsSettings(keyPrefix, certFile, keyFile, file, password, verifyPeer, failIfNoPeerCert, versions, ciphers,
                honorCipherOrder);
    }

    public TlsSettings withVerifyPeer(boolean verify, boolean failIfNoCert) {
        return new TlsSettings(keyPrefix, certFile, keyFile, caFile, password, verify, failIfNoCert, versions, ciphers,
                honorCipherOrder);
    }

    public TlsSettings withVersions(List<String> allowed) {
        return new TlsSettings(keyPrefix, certFile, keyFile, caFile, password, verifyPeer, failIfNoPeerCert, allowed, ciphers,
                honorCipherOrder);
    }

    public TlsSettings withCiphers(List<String> allowed) {
        return new TlsSettings(keyPrefix, certFile, keyFile, caFile, password, verifyPeer, failIfNoPeerCert, versions, allowed,
                honorCipherOrder);
    }

    public TlsSettings withPassword(String keyPassword) {
        return new TlsSettings(keyPrefix, certFile, keyFile, caFile, keyPassword, verifyPeer, failIfNoPeerCert, versions,
                ciphers, honorCipherOrder);
    }

    public TlsSettings withHonorCipherOrder(boolean honor) {
        return new TlsSettings(keyPrefix, certFile, keyFile, caFile, password, verifyPeer, failIfNoPeerCert, versions, ciphers,
                honor);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return keyPrefix + "{certfile=" + certFile + ", keyfile=" + keyFile + ", cacertfile=" + caFile + ", verify="
                + (verifyPeer ? "verify_peer" : "verify_none") + ", fail_if_no_peer_cert=" + failIfNoPeerCert
                + ", versions=" + versions + ", ciphers=" + ciphers + "}";
    }

    /**
     * RabbitMQ's version names ({@code tlsv1.3}, {@code tlsv1.2}, {@code tlsv1.1}, {@code tlsv1}) as Java's;
     * null for an unknown one.
     */
    public static String javaVersionName(String rabbitName) {
        return switch (rabbitName.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "tlsv1.3" -> "TLSv1.3";
            case "tlsv1.2" -> "TLSv1.2";
            case "tlsv1.1" -> "TLSv1.1";
            case "tlsv1" -> "TLSv1";
            default -> null;
        };
    }
}
