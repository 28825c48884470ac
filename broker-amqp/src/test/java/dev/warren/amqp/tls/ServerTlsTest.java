package dev.warren.amqp.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.core.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every TLS setting is checked when the context is built, and a problem names the key and file to fix. */
class ServerTlsTest {
    @TempDir
    Path dir;
    private TestPki pki;
    private TestPki.Issued server;

    @BeforeEach
    void certificates() throws Exception {
        pki = TestPki.create(dir, "unit");
        server = pki.server("server");
    }

    private TlsConfigException refused(TlsSettings settings) {
        return assertThrows(TlsConfigException.class, () -> ServerTls.load(settings));
    }

    @Test
    void loadsACertificateAndItsKey() throws Exception {
        ServerTls tls = ServerTls.load(TlsSettings.of("ssl_options", server.certFile(), server.keyFile()).withCaFile(pki.caFile()));
        assertEquals(server.certificate(), tls.certificate());
    }

    @Test
    void aMissingFileNamesTheKeyAndTheFile() {
        Path absent = dir.resolve("absent.pem");
        TlsConfigException e = refused(TlsSettings.of("ssl_options", absent, server.keyFile()));
        assertEquals("ssl_options.certfile", e.key());
        assertEquals("ssl_options.certfile: cannot read " + absent + " (no such file)", e.getMessage());
        assertEquals("management.ssl.cacertfile", refused(TlsSettings.of("management.ssl", server.certFile(), server.keyFile())
                .withCaFile(absent)).key());
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedUpFront() throws Exception {
        TestPki.Issued other = pki.server("other");
        TlsConfigException e = refused(TlsSettings.of("ssl_options", server.certFile(), other.keyFile()));
        assertEquals("ssl_options.keyfile", e.key());
        assertTrue(e.getMessage().contains("does not belong to the certificate in " + server.certFile()), e.getMessage());
    }

    @Test
    void aFileThatIsNotPemIsRefused() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
        assertEquals("ssl_options.certfile", refused(TlsSettings.of("ssl_options", garbage, server.keyFile())).key());
        assertEquals("ssl_options.keyfile", refused(TlsSettings.of("ssl_options", server.certFile(), garbage)).key());
    }

    @Test
    void anEncryptedKeyLoadsWithItsPasswordAndNotWithAWrongOne() throws Exception {
        Path encrypted = server.encryptedKeyFile("s3cret");
        ServerTls.load(TlsSettings.of("ssl_options", server.certFile(), encrypted).withPassword("s3cret"));
        TlsConfigException wrong = refused(TlsSettings.of("ssl_options", server.certFile(), encrypted).withPassword("nope"));
        assertEquals("ssl_options.keyfile", wrong.key());
        assertTrue(wrong.getMessage().contains("with ssl_options.password"), wrong.getMessage());
    }

    @Test
    void cipherSuitesNoneOfWhichIsSupportedAreRefused() {
        TlsConfigException e = refused(TlsSettings.of("ssl_options", server.certFile(), server.keyFile())
                .withCiphers(List.of("NO_SUCH_CIPHER")));
        assertEquals("ssl_options.ciphers", e.key());
    }

    @Test
    void aFailedReloadKeepsTheWorkingContext() throws Exception {
        ServerTls tls = ServerTls.load(TlsSettings.of("ssl_options", server.certFile(), server.keyFile()));
        Files.writeString(server.keyFile(), "broken");
        assertThrows(TlsConfigException.class, tls::reload);
        assertEquals(server.certificate(), tls.certificate());
    }

    @Test
    void rabbitMqsVersionNamesMapToJavasAndUnknownOnesToNull() {
        assertEquals("TLSv1.3", TlsSettings.javaVersionName("tlsv1.3"));
        assertEquals("TLSv1.2", TlsSettings.javaVersionName("TLSv1.2"));
        assertEquals(null, TlsSettings.javaVersionName("tlsv9"));
    }
}
