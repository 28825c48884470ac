package dev.warren.core.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.net.Socket;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made at test time (nothing checked in that expires): it issues server
 * certificates for localhost and client certificates, written as PEM files the broker's TLS settings take,
 * and builds the client side's SSLContext. EC P-256 keys, so making them is quick.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;

    private TestPki(Path dir, String name, KeyPair caKeys, X509Certificate caCertificate) {
        this.dir = dir;
        this.name = name;
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
    }

    /** A new CA named {@code name}; its certificate is written to {@code dir/name-ca.pem}. */
    public static TestPki create(Path dir, String name) throws Exception {
        KeyPair keys = newKeys();
        X500Name subject = name("CN=" + name + " CA,O=Warren Test");
        X509v3CertificateBuilder builder = builder(subject, subject, keys, Duration.ofDays(2))
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate certificate = sign(builder, keys.getPrivate());
        TestPki pki = new TestPki(dir, name, keys, certificate);
        pki.writePem(pki.caFile(), certificate);
        return pki;
    }

    public Path caFile() {
        return dir.resolve(name + "-ca.pem");
    }

    public X509Certificate caCertificate() {
        return caCertificate;
    }

    /** A server certificate for localhost, 127.0.0.1 and ::1 and its key, written as PEM. */
    public Issued server(String label) throws Exception {
        return serverNaming(label, "localhost", "127.0.0.1", "::1");
    }

    /** A server certificate whose subject alternative names are {@code names} (host names or IP literals). */
    public Issued serverNaming(String label, String... names) throws Exception {
        KeyPair keys = newKeys();
        X509v3CertificateBuilder builder = builder(name("CN=" + caSubjectName()), name("CN=" + names[0] + ",O=Warren Test"),
                keys, Duration.ofDays(1))
                .addExtension(Extension.subjectAlternativeName, false, alternativeNames(names))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        return issue(label, builder, keys);
    }

    /**
     * A cluster node's certificate: it serves its inter-node port and connects to the other nodes', so it is issued
     * for both (serverAuth and clientAuth), with {@code names} as its subject alternative names.
     */
    public Issued node(String label, String... names) throws Exception {
        KeyPair keys = newKeys();
        X509v3CertificateBuilder builder = builder(name("CN=" + caSubjectName()), name("CN=" + label + ",O=Warren Test"),
                keys, Duration.ofDays(1))
                .addExtension(Extension.subjectAlternativeName, false, alternativeNames(names))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        return issue(label, builder, keys);
    }

    /** A client certificate whose subject is {@code subject} (e.g. "CN=alex,O=Warren Test"), written as PEM. */
    public Issued client(String label, String subject) throws Exception {
        KeyPair keys = newKeys();
        X509v3CertificateBuilder builder = builder(name("CN=" + caSubjectName()), name(subject), keys,
                Duration.ofDays(1))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        return issue(label, builder, keys);
    }

    /** Host names and IP literals as subject alternative names. */
    private static GeneralNames alternativeNames(String... names) {
        GeneralName[] alternatives = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
            boolean ip = names[i].contains(":") || names[i].matches("[0-9.]+");
            alternatives[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, names[i]);
        }
        return new GeneralNames(alternatives);
    }

    private String caSubjectName() {
        return name + " CA,O=Warren Test";
    }

    private Issued issue(String label, X509v3CertificateBuilder builder, KeyPair keys) throws Exception {
        X509Certificate certificate = sign(builder, caKeys.getPrivate());
        Issued issued = new Issued(certificate, keys.getPrivate(), dir.resolve(label + ".pem"), dir.resolve(label + "-key.pem"),
                caCertificate);
        writePem(issued.certFile(), certificate);
        writePem(issued.keyFile(), new JcaPKCS8Generator(keys.getPrivate(), null));
        return issued;
    }

    /** A certificate and its key, their PEM files, and the CA that issued it. */
    public record Issued(X509Certificate certificate, PrivateKey key, Path certFile, Path keyFile, X509Certificate ca) {
        /** The key again, encrypted with the password (PKCS#8, AES-256-CBC), in {@code label-key-encrypted.pem}. */
        public Path encryptedKeyFile(String password) throws Exception {
            Path file = keyFile.resolveSibling(keyFile.getFileName().toString().replace("-key.pem", "-key-encrypted.pem"));
            StringWriter text = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
                writer.writeObject(new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                        .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                        .setPassword(password.toCharArray()).setRandom(new SecureRandom()).build()));
            }
            Files.writeString(file, text.toString());
            return file;
        }

        /**
         * A client SSLContext that presents this certificate and trusts {@code trusted}. As the JDK's client does,
         * it sends the certificate only when its CA is one the server asks for.
         */
        public SSLContext clientContext(X509Certificate trusted) throws Exception {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers(), trustManagers(trusted).getTrustManagers(), new SecureRandom());
            return context;
        }

        /**
         * As {@link #clientContext}, but the certificate is sent whichever CAs the server asks for, as
         * {@code openssl s_client -cert} does: for testing a server's refusal of a certificate it does not trust.
         */
        public SSLContext insistentClientContext(X509Certificate trusted) throws Exception {
            X509ExtendedKeyManager insistent = new X509ExtendedKeyManager() {
                @Override
                public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                    return "me";
                }

                @Override
                public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                    return "me";
                }

                @Override
                public String[] getClientAliases(String keyType, Principal[] issuers) {
                    return new String[] {"me"};
                }

                @Override
                public String[] getServerAliases(String keyType, Principal[] issuers) {
                    return null;
                }

                @Override
                public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                    return null;
                }

                @Override
                public X509Certificate[] getCertificateChain(String alias) {
                    return new X509Certificate[] {certificate, ca};
                }

                @Override
                public PrivateKey getPrivateKey(String alias) {
                    return key;
                }
            };
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {insistent}, trustManagers(trusted).getTrustManagers(), new SecureRandom());
            return context;
        }

        private KeyManager[] keyManagers() throws Exception {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("me", key, "pw".toCharArray(), new java.security.cert.Certificate[] {certificate, ca});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, "pw".toCharArray());
            return keys.getKeyManagers();
        }
    }

    /** A client SSLContext that trusts this CA and has no certificate of its own. */
    public SSLContext trustingClientContext() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers(caCertificate).getTrustManagers(), new SecureRandom());
        return context;
    }

    private static TrustManagerFactory trustManagers(X509Certificate trusted) throws Exception {
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("ca", trusted);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore);
        return factory;
    }

    /**
     * A name written as RFC 4514 writes it, most specific part first ("CN=alex,O=Example"), encoded the usual
     * way round (O, then CN), so it reads back the same.
     */
    private static X500Name name(String rfc4514) {
        java.util.List<String> parts = new java.util.ArrayList<>(java.util.List.of(rfc4514.split(",")));
        java.util.Collections.reverse(parts);
        return new X500Name(String.join(",", parts));
    }

    private static KeyPair newKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Duration validity) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    private void writePem(Path file, Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        Files.writeString(file, text.toString());
    }
}
