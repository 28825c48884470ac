package dev.warren.amqp.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS listener's server context, built from its {@link TlsSettings} and rebuilt on demand
 * ({@link #reload}) or when its files change ({@link #reloadIfChanged}): new connections get the current
 * context, connections already open keep the one they started with. OpenSSL (BoringSSL, from
 * netty-tcnative) when its native library loads, the JDK's provider otherwise.
 *
 * <p>Everything is checked when the context is built, and a problem is a {@link TlsConfigException} naming
 * the key and file: a missing or unreadable file, a certificate or key that does not parse (or whose
 * password is wrong), a key that does not belong to the certificate, an unknown version, ciphers of which
 * the provider supports none. A failed reload keeps the context that works.
 *
 * <p>Thread-safe: the context is swapped atomically; reloads are serialized.
 */
public final class ServerTls {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    private final TlsSettings settings;
    private volatile SslContext context;
    private volatile X509Certificate certificate;
    private List<Long> loadedTimes;

    private ServerTls(TlsSettings settings) {
        this.settings = settings;
    }

    /** Builds the context, or says which setting is wrong. */
    public static ServerTls load(TlsSettings settings) throws TlsConfigException {
        ServerTls tls = new ServerTls(settings);
        tls.reload();
        LOG.info("TLS for {} uses {} (certificate {}, protocols {})", settings.keyPrefix(), provider(),
                tls.certificate.getSubjectX500Principal().getName(), settings.versions());
        return tls;
    }

    /** "OpenSSL (BoringSSL)" when netty-tcnative's native library loads, else "JDK". */
    public static String provider() {
        return OpenSsl.isAvailable() ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
    }

    public TlsSettings settings() {
        return settings;
    }

    /** The server certificate now in use. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** A handler for one new connection, with the current context. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        SslHandler handler = context.newHandler(alloc);
        if (settings.honorCipherOrder()) {
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setUseCipherSuitesOrder(true);
            engine.setSSLParameters(parameters);
        }
        return handler;
    }

    /** Rebuilds the context from the files; on failure the current one stays and the exception says why. */
    public synchronized void reload() throws TlsConfigException {
        List<Long> times = fileTimes();
        X509Certificate[] chain = readCertificates(settings.certFile(), settings.keyPrefix() + ".certfile");
        PrivateKey key = readKey();
        checkKeyMatches(key, chain[0]);
        X509Certificate[] cas = settings.caFile() == null ? null
                : readCertificates(settings.caFile(), settings.keyPrefix() + ".cacertfile");
        SslContext built = build(chain, key, cas);
        context = built;
        certificate = chain[0];
        loadedTimes = times;
    }

    /** Reloads when a file changed since the last load; true when it did. A failure is logged, the old context kept. */
    public synchronized boolean reloadIfChanged() {
        if (fileTimes().equals(loadedTimes)) {
            return false;
        }
        try {
            reload();
            LOG.info("TLS certificates for {} reloaded (certificate {}); open connections keep theirs",
                    settings.keyPrefix(), certificate.getSubjectX500Principal().getName());
            return true;
        } catch (TlsConfigException e) {
            loadedTimes = fileTimes(); // say it once per change, not at every check
            LOG.error("TLS certificates for {} changed but could not be loaded; still using the previous ones: {}",
                    settings.keyPrefix(), e.getMessage());
            return false;
        }
    }

    private List<Long> fileTimes() {
        List<Long> times = new ArrayList<>();
        for (Path file : new Path[] {settings.certFile(), settings.keyFile(), settings.caFile()}) {
            try {
                times.add(file == null ? 0L : Files.getLastModifiedTime(file).toMillis());
            } catch (java.io.IOException e) {
                times.add(-1L);
            }
        }
        return times;
    }

    private SslContext build(X509Certificate[] chain, PrivateKey key, X509Certificate[] cas) throws TlsConfigException {
        SslContextBuilder builder = SslContextBuilder.forServer(key, chain)
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .protocols(settings.versions())
                .clientAuth(!settings.verifyPeer() ? ClientAuth.NONE
                        : settings.failIfNoPeerCert() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        SslContext built;
        try {
            if (cas != null) {
                builder.trustManager(ClientCertificateTrust.of(cas, settings.caFile(), OpenSsl.isAvailable()));
            }
            if (!settings.ciphers().isEmpty()) {
                builder.ciphers(settings.ciphers(), SupportedCipherSuiteFilter.INSTANCE);
            }
            built = builder.build();
        } catch (Exception e) {
            throw new TlsConfigException(settings.keyPrefix(), "cannot set up TLS: " + e.getMessage(), e);
        }
        if (!settings.ciphers().isEmpty() && built.cipherSuites().isEmpty()) {
            throw new TlsConfigException(settings.keyPrefix() + ".ciphers",
                    "none of " + settings.ciphers() + " is supported by " + provider());
        }
        return built;
    }

    private static X509Certificate[] readCertificates(Path file, String key) throws TlsConfigException {
        File readable = readable(file, key);
        try {
            X509Certificate[] certificates = PemFiles.certificates(readable);
            if (certificates.length == 0) {
                throw new TlsConfigException(key, "no certificate in " + file);
            }
            return certificates;
        } catch (TlsConfigException e) {
            throw e;
        } catch (Exception e) {
            throw new TlsConfigException(key, "cannot read a PEM certificate from " + file + ": " + e.getMessage(), e);
        }
    }

    private PrivateKey readKey() throws TlsConfigException {
        String key = settings.keyPrefix() + ".keyfile";
        File readable = readable(settings.keyFile(), key);
        try {
            return PemFiles.privateKey(readable, settings.password());
        } catch (Exception e) {
            throw new TlsConfigException(key, "cannot read a PEM private key from " + settings.keyFile()
                    + (settings.password() == null ? "" : " with " + settings.keyPrefix() + ".password") + ": " + e, e);
        }
    }

    private static File readable(Path file, String key) throws TlsConfigException {
        if (file == null) {
            throw new TlsConfigException(key, "not set");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new TlsConfigException(key, "cannot read " + file + (Files.exists(file) ? "" : " (no such file)"));
        }
        return file.toFile();
    }

    /** Signs with the key and verifies with the certificate: a key of another certificate fails here, not in handshakes. */
    private void checkKeyMatches(PrivateKey key, X509Certificate certificate) throws TlsConfigException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA"; // ECDSA: read by Bouncy Castle, when it is on the class path
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return; // a kind of key this check does not know; the handshake will tell
        }
        try {
            byte[] probe = "warren".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (key.getAlgorithm().equals("ECDSA")) { // the JDK signs only with its own kind of EC key
                key = java.security.KeyFactory.getInstance("EC").generatePrivate(
                        new java.security.spec.PKCS8EncodedKeySpec(key.getEncoded()));
            }
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new TlsConfigException(settings.keyPrefix() + ".keyfile", "the key in " + settings.keyFile()
                        + " does not belong to the certificate in " + settings.certFile());
            }
        } catch (TlsConfigException e) {
            throw e;
        } catch (Exception e) {
            throw new TlsConfigException(settings.keyPrefix() + ".keyfile", "the key in " + settings.keyFile()
                    + " does not belong to the certificate in " + settings.certFile() + " (" + e.getMessage() + ")", e);
        }
    }
}
