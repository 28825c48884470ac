package dev.warren.amqp.tls;

import io.netty.handler.ssl.OpenSslCertificateException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Checks client certificates against the CAs of {@code ssl_options.cacertfile} with the JDK's PKIX checks, and
 * says what failed in words and, under OpenSSL, in the alert the client gets. Without this, BoringSSL answers a
 * certificate from an unknown CA with {@code internal_error} and the log reads "General OpenSslEngine problem";
 * with it the client gets {@code unknown_ca} (as from RabbitMQ) and the log names the certificate and the file.
 */
final class ClientCertificateTrust extends X509ExtendedTrustManager {
    /** OpenSSL's X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: BoringSSL answers it with the alert unknown_ca. */
    private static final int UNKNOWN_ISSUER = 20;
    /** OpenSSL's X509_V_ERR_CERT_REJECTED: the alert bad_certificate. */
    private static final int REJECTED = 28;

    private final X509ExtendedTrustManager pkix;
    private final Path caFile;
    private final boolean openSsl;

    private ClientCertificateTrust(X509ExtendedTrustManager pkix, Path caFile, boolean openSsl) {
        this.pkix = pkix;
        this.caFile = caFile;
        this.openSsl = openSsl;
    }

    /** Trust in exactly {@code cas}, read from {@code caFile}; {@code openSsl} when the engine is OpenSSL's. */
    static ClientCertificateTrust of(X509Certificate[] cas, Path caFile, boolean openSsl) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        for (int i = 0; i < cas.length; i++) {
            store.setCertificateEntry("ca-" + i, cas[i]);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager pkix) {
                return new ClientCertificateTrust(pkix, caFile, openSsl);
            }
        }
        throw new IllegalStateException("the JDK has no X509ExtendedTrustManager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            pkix.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw explained(chain, e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        try {
            pkix.checkClientTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            throw explained(chain, e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            pkix.checkClientTrusted(chain, authType);
        } catch (CertificateException e) {
            throw explained(chain, e);
        }
    }

    /** The failure named, with OpenSSL's verify error so that BoringSSL sends the matching alert. */
    private CertificateException explained(X509Certificate[] chain, CertificateException e) {
        String subject = chain.length == 0 ? "(none)" : chain[0].getSubjectX500Principal().getName();
        if (e instanceof CertificateExpiredException || e instanceof CertificateNotYetValidException
                || e instanceof OpenSslCertificateException) {
            return e; // Netty already maps these to their alerts
        }
        boolean unknownIssuer = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            unknownIssuer |= t instanceof CertPathBuilderException;
        }
        String message = unknownIssuer
                ? "the client certificate " + subject + " is not issued by a CA in " + caFile
                : "the client certificate " + subject + " is refused: " + e.getMessage();
        CertificateException explained = openSsl
                ? new OpenSslCertificateException(message, unknownIssuer
                        ? UNKNOWN_ISSUER : REJECTED)
                : new CertificateException(message);
        explained.initCause(e);
        return explained;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        pkix.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pkix.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
