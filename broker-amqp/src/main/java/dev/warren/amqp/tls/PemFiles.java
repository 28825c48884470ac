package dev.warren.amqp.tls;

import io.netty.handler.ssl.SslContext;
import java.io.File;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * Reads PEM certificates and keys (PKCS#8, encrypted or not) with Netty's own PEM reader, the one its
 * contexts use, so what is checked here is what the listener will load. Netty exposes the reader only to
 * subclasses of {@link SslContext}; this class is one in name only and is never made.
 */
abstract class PemFiles extends SslContext {
    private PemFiles() {
    }

    static X509Certificate[] certificates(File file) throws Exception {
        return toX509Certificates(file);
    }

    static PrivateKey privateKey(File file, String password) throws Exception {
        return toPrivateKey(file, password);
    }
}
