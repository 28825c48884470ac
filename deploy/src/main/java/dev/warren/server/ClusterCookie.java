package dev.warren.server;

import dev.warren.store.raft.ClusterSettings;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Set;
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
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Inter-node authentication from a shared secret, as Erlang's cookie authenticates RabbitMQ's nodes
 * ({@code cluster.cookie_file}): every node derives the same certificate authority key from the secret (a P-256 key
 * whose scalar is a hash of it), issues itself a fresh certificate from it at each start, and the inter-node port
 * then runs the mutual TLS of {@code cluster.ssl_options} with those files (under {@code <data>/cluster-tls}). Only
 * a process that knows the secret can present a certificate the others take; the secret itself never travels.
 */
final class ClusterCookie {
    private static final String CURVE = "secp256r1";
    private static final Duration NODE_VALIDITY = Duration.ofDays(3650);

    private ClusterCookie() {
    }

    /**
     * The secret the file holds (surrounding white space ignored), refused as Erlang refuses a cookie file others can
     * read, or an empty one.
     */
    static String read(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("cluster.cookie_file: cannot read " + file);
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                throw new IOException("cluster.cookie_file " + file + " must be accessible by its owner only (it is "
                        + PosixFilePermissions.toString(permissions) + "; chmod 600 it)");
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
        String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (secret.isEmpty()) {
            throw new IOException("cluster.cookie_file " + file + " is empty");
        }
        return secret;
    }

    /**
     * Writes this node's certificate (for {@code host}, the address the others reach it at), its new key and the
     * authority derived from {@code secret} into {@code dir}; returns them as the inter-node TLS files.
     */
    static ClusterSettings.InterNodeTls issue(String secret, String node, String host, Path dir)
            throws IOException, GeneralSecurityException {
        KeyPair authority = authority(secret);
        X509Certificate ca = authorityCertificate(authority);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(CURVE));
        KeyPair keys = generator.generateKeyPair();
        X509Certificate certificate = nodeCertificate(authority, ca, keys.getPublic(), node, host);
        Files.createDirectories(dir);
        Path caFile = dir.resolve("ca.pem");
        Path certFile = dir.resolve("node.pem");
        Path keyFile = dir.resolve("node.key");
        Files.writeString(caFile, pem("CERTIFICATE", ca.getEncoded()));
        Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()));
        Files.deleteIfExists(keyFile);
        try {
            Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(keyFile);
        }
        Files.writeString(keyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        return new ClusterSettings.InterNodeTls(caFile, certFile, keyFile);
    }

    /** The authority's key pair: the same on every node that has the secret. */
    static KeyPair authority(String secret) throws GeneralSecurityException {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec(CURVE));
        ECParameterSpec curve = parameters.getParameterSpec(ECParameterSpec.class);
        byte[] hash = MessageDigest.getInstance("SHA-256")
                .digest(("warren cluster authority\0" + secret).getBytes(StandardCharsets.UTF_8));
        BigInteger order = curve.getOrder();
        BigInteger scalar = new BigInteger(1, hash).mod(order.subtract(BigInteger.ONE)).add(BigInteger.ONE);
        org.bouncycastle.jce.spec.ECNamedCurveParameterSpec named =
                org.bouncycastle.jce.ECNamedCurveTable.getParameterSpec(CURVE);
        org.bouncycastle.math.ec.ECPoint point = named.getG().multiply(scalar).normalize();
        KeyFactory factory = KeyFactory.getInstance("EC");
        PrivateKey privateKey = factory.generatePrivate(new ECPrivateKeySpec(scalar, curve));
        PublicKey publicKey = factory.generatePublic(new ECPublicKeySpec(new ECPoint(
                point.getAffineXCoord().toBigInteger(), point.getAffineYCoord().toBigInteger()), curve));
        return new KeyPair(publicKey, privateKey);
    }

    /** The authority's certificate; every node makes its own, with the same name and key, so each trusts the others'. */
    static X509Certificate authorityCertificate(KeyPair authority) throws GeneralSecurityException {
        X500Name name = authorityName(authority.getPublic());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                Date.from(Instant.parse("2020-01-01T00:00:00Z")), Date.from(Instant.parse("2100-01-01T00:00:00Z")),
                name, authority.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            new JcaX509ExtensionUtils().createSubjectKeyIdentifier(authority.getPublic()));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return sign(builder, authority.getPrivate());
    }

    static X509Certificate nodeCertificate(KeyPair authority, X509Certificate ca, PublicKey key, String node, String host)
            throws GeneralSecurityException {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(NODE_VALIDITY)),
                new X500Name("CN=" + node.replaceAll("[,+=\"\\\\<>;]", "_")), key);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternativeName(host)))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(authority.getPublic()));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return sign(builder, authority.getPrivate());
    }

    /** Named after its key, so authorities of different secrets never share a name. */
    private static X500Name authorityName(PublicKey key) throws GeneralSecurityException {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
        return new X500Name("CN=Warren cluster authority " + java.util.HexFormat.of().formatHex(digest, 0, 8));
    }

    private static GeneralName alternativeName(String host) {
        boolean literal = host.matches("[0-9.]+") || host.contains(":");
        if (literal) {
            try {
                return new GeneralName(GeneralName.iPAddress, InetAddress.getByName(host).getHostAddress());
            } catch (java.net.UnknownHostException e) {
                // not a literal after all
            }
        }
        return new GeneralName(GeneralName.dNSName, host);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
