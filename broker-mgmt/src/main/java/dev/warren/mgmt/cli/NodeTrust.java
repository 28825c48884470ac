package dev.warren.mgmt.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Whom warrenctl trusts when it reaches a node over https, and what it says when the node's certificate fails.
 *
 * <p>With a CA bundle ({@code --cacertfile} or {@code $WARREN_CTL_CACERTFILE}: PEM, one or more certificates) the
 * trust store holds exactly those CAs, built in memory with the JDK (CertificateFactory, KeyStore,
 * TrustManagerFactory); without one, the JVM's own trusted CAs apply. java.net.http.HttpClient then checks that
 * the certificate names the host of {@code --node}; nothing here turns that off. A bundle that cannot be read or
 * holds no certificate is a bad argument (65), found before anything is sent. A handshake the node's certificate
 * fails is rabbitmqctl's "unable to perform an operation on node" (69), saying which check failed.
 */
final class NodeTrust {
    private NodeTrust() {
    }

    /** An SSLContext trusting only the CA certificates in {@code caFile} (PEM). */
    static SSLContext sslContext(Path caFile) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers(caFile), new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS with the CAs in " + caFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * As {@link #sslContext}, but the certificate need not name the host: for the local node's 127.0.0.1 address,
     * taken from its own warrenctl.json, where a certificate issued for the machine's name is expected.
     */
    static SSLContext loopbackContext(Path caFile) {
        X509TrustManager chain = (X509TrustManager) trustManagers(caFile)[0];
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new ChainOnly(chain)}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS with the CAs in " + caFile + ": " + e.getMessage(), e);
        }
    }

    private static TrustManager[] trustManagers(Path caFile) {
        Collection<? extends Certificate> certificates = readCertificates(caFile);
        try {
            KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
            trustStore.load(null, null);
            int n = 0;
            for (Certificate certificate : certificates) {
                trustStore.setCertificateEntry("ca-" + n++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore);
            return trust.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS with the CAs in " + caFile + ": " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> readCertificates(Path caFile) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(caFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (NoSuchFileException e) {
            throw badBundle(caFile, "no such file");
        } catch (AccessDeniedException e) {
            throw badBundle(caFile, "permission denied");
        } catch (IOException e) {
            throw badBundle(caFile, "cannot read it: " + e.getMessage());
        } catch (CertificateException e) {
            throw badBundle(caFile, "not a PEM certificate bundle (" + e.getMessage() + ")");
        }
        if (certificates.isEmpty()) {
            throw badBundle(caFile, "no certificate in it");
        }
        return certificates;
    }

    private static CliException badBundle(Path caFile, String why) {
        return new CliException(ExitCodes.DATAERR, "Error (argument validation): --cacertfile " + caFile
                + ": " + why + " (it must hold the PEM certificates of the CAs that issue the node's certificate)");
    }

    /** The failed handshake as warrenctl reports it: the node is unavailable (69), and why. */
    static CliException handshakeFailed(NodeTarget target, SSLException e) {
        String trusted = target.caFile() == null ? "a CA the JVM trusts" : "a CA in " + target.caFile();
        String why;
        CertificateException hostMismatch = hostMismatch(e);
        if (hostMismatch != null) {
            why = "The node's TLS certificate does not name the host " + target.baseUri().getHost()
                    + " (" + hostMismatch.getMessage() + "); use the host name the certificate was issued for in --node.";
        } else if (find(e, CertificateExpiredException.class) != null) {
            why = "The node's TLS certificate has expired (" + root(e) + ").";
        } else if (find(e, CertPathBuilderException.class) != null || find(e, CertPathValidatorException.class) != null) {
            why = "The node's TLS certificate is not issued by " + trusted + " (" + root(e) + ").";
        } else {
            why = "The TLS handshake failed: " + root(e) + " (is " + target.baseUri().getAuthority() + " an https port?).";
        }
        return new CliException(ExitCodes.UNAVAILABLE, "Error: unable to perform an operation on node '" + target.label()
                + "'. " + why + "\n\n"
                + "warrenctl trusts an https node whose certificate is issued by a CA in --cacertfile FILE (else\n"
                + NodeTarget.CACERTFILE_ENV + ", else the JVM's trusted CAs) and names the host it connects to.");
    }

    /** The JDK's hostname check fails with a CertificateException that is not about the chain. */
    private static CertificateException hostMismatch(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException c && c.getMessage() != null
                    && (c.getMessage().startsWith("No subject alternative") || c.getMessage().startsWith("No name matching"))) {
                return c;
            }
        }
        return null;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** The innermost message, which names the check that failed ("unable to find valid certification path ..."). */
    private static String root(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isEmpty()) {
                message = t.getMessage();
            }
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    /**
     * Checks the chain against the CAs and nothing else. Being an X509ExtendedTrustManager, JSSE does not add its
     * own host name check around it (it would for a plain X509TrustManager).
     */
    private static final class ChainOnly extends X509ExtendedTrustManager {
        private final X509TrustManager chain;

        ChainOnly(X509TrustManager chain) {
            this.chain = chain;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certificates, String authType) throws CertificateException {
            chain.checkServerTrusted(certificates, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certificates, String authType, Socket socket)
                throws CertificateException {
            chain.checkServerTrusted(certificates, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] certificates, String authType, SSLEngine engine)
                throws CertificateException {
            chain.checkServerTrusted(certificates, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certificates, String authType) throws CertificateException {
            throw new CertificateException("warrenctl does not accept client connections");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certificates, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(certificates, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] certificates, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(certificates, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return chain.getAcceptedIssuers();
        }
    }
}
