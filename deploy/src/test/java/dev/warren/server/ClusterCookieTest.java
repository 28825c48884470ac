package dev.warren.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SignatureException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCookieTest {
    @TempDir
    Path dir;

    @Test
    void theSameSecretGivesEveryNodeTheSameAuthorityAndAnotherSecretAnother() throws Exception {
        KeyPair one = ClusterCookie.authority("secret");
        assertArrayEquals(one.getPublic().getEncoded(), ClusterCookie.authority("secret").getPublic().getEncoded());
        assertArrayEquals(one.getPrivate().getEncoded(), ClusterCookie.authority("secret").getPrivate().getEncoded());
        assertNotEquals(java.util.HexFormat.of().formatHex(one.getPublic().getEncoded()),
                java.util.HexFormat.of().formatHex(ClusterCookie.authority("secret2").getPublic().getEncoded()));
    }

    @Test
    void aNodesCertificateVerifiesWithTheAuthorityAnotherNodeMadeFromTheSameSecretOnly() throws Exception {
        KeyPair authority = ClusterCookie.authority("secret");
        X509Certificate myCa = ClusterCookie.authorityCertificate(authority);
        X509Certificate theirCa = ClusterCookie.authorityCertificate(ClusterCookie.authority("secret"));
        X509Certificate node = ClusterCookie.nodeCertificate(authority, myCa, newKey().getPublic(), "warren1@10.0.0.1",
                "10.0.0.1");
        node.verify(theirCa.getPublicKey());
        assertEquals(theirCa.getSubjectX500Principal(), node.getIssuerX500Principal());
        assertTrue(node.getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals("10.0.0.1")));
        X509Certificate otherCa = ClusterCookie.authorityCertificate(ClusterCookie.authority("other"));
        assertThrows(SignatureException.class, () -> node.verify(otherCa.getPublicKey()));
        assertNotEquals(otherCa.getSubjectX500Principal(), node.getIssuerX500Principal());
    }

    @Test
    void aCookieFileOthersCanReadOrAnEmptyOneIsRefused() throws Exception {
        Path cookie = dir.resolve("cookie");
        Files.writeString(cookie, "  SECRET\n");
        Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("rw-------"));
        assertEquals("SECRET", ClusterCookie.read(cookie));
        Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("rw-r--r--"));
        IOException open = assertThrows(IOException.class, () -> ClusterCookie.read(cookie));
        assertTrue(open.getMessage().contains("must be accessible by its owner only"), open.getMessage());
        Files.writeString(cookie, "\n");
        Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
        assertTrue(assertThrows(IOException.class, () -> ClusterCookie.read(cookie)).getMessage().contains("is empty"));
    }

    private static KeyPair newKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }
}
