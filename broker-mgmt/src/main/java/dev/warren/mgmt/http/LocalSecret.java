package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;

/**
 * warrenctl's way in: {@code <dataDir>/warrenctl.json} holds the management URL and a random secret that
 * authenticates as an administrator (and, when management has only HTTPS, the CA file its certificate chains to). The file is created owner-only (rw-------) from the start, under a
 * temporary name, and renamed into place, so no other user can ever read a secret from it. A new secret
 * is made on every start.
 */
final class LocalSecret {
    static final String FILE_NAME = "warrenctl.json";
    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final String secret;

    private LocalSecret(Path file, String secret) {
        this.file = file;
        this.secret = secret;
    }

    /**
     * @param trust for an https URL, the PEM file warrenctl checks the node's certificate against (it connects to
     *              127.0.0.1, which the certificate need not name); null for http
     */
    static LocalSecret write(Path dataDir, String url, Path trust) throws IOException {
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        ObjectNode content = Json.object().put("url", url).put("secret", secret);
        if (trust != null) {
            content.put("cacertfile", trust.toAbsolutePath().toString());
        }
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE_NAME);
        Path temp = dataDir.resolve(FILE_NAME + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel channel = FileChannel.open(temp,
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
             OutputStream out = Channels.newOutputStream(channel)) {
            out.write(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(content));
            out.write('\n');
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new LocalSecret(file, secret);
    }

    String secret() {
        return secret;
    }

    Path file() {
        return file;
    }

    /** Removes the file on shutdown, so warrenctl finds no stale URL and secret. */
    void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}
