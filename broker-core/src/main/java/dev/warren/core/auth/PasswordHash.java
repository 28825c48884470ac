package dev.warren.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Salted SHA-256 password hashes in RabbitMQ's format (rabbit_password_hashing_sha256), so definitions
 * move between RabbitMQ and Warren with their passwords: base64(salt ‖ sha256(salt ‖ utf8(password)))
 * with a 4-byte random salt.
 */
public final class PasswordHash {
    private static final int SALT_LENGTH = 4;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {
    }

    public static String hash(String password) {
        byte[] salt = new byte[SALT_LENGTH];
        RANDOM.nextBytes(salt);
        return encode(salt, password);
    }

    public static boolean matches(String hash, String password) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(hash);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (decoded.length <= SALT_LENGTH) {
            return false;
        }
        byte[] salt = java.util.Arrays.copyOf(decoded, SALT_LENGTH);
        return MessageDigest.isEqual(Base64.getDecoder().decode(encode(salt, password)), decoded);
    }

    private static String encode(byte[] salt, String password) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
        sha256.update(salt);
        byte[] digest = sha256.digest(password.getBytes(StandardCharsets.UTF_8));
        byte[] out = new byte[salt.length + digest.length];
        System.arraycopy(salt, 0, out, 0, salt.length);
        System.arraycopy(digest, 0, out, salt.length, digest.length);
        return Base64.getEncoder().encodeToString(out);
    }
}
