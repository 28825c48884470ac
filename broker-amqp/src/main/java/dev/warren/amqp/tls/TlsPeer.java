package dev.warren.amqp.tls;

import dev.warren.core.connection.TlsInfo;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * What a TLS connection's handshake settled: its {@link TlsInfo} for the connection's listing, and the
 * client's certificate when it sent one the server verified (only then does SASL EXTERNAL apply).
 */
public record TlsPeer(TlsInfo info, X509Certificate certificate) {
    /** The connection's TLS once its handshake is done, or null for a plain connection. */
    public static TlsPeer of(Channel channel) {
        SslHandler handler = channel.pipeline().get(SslHandler.class);
        if (handler == null) {
            return null;
        }
        SSLSession session = handler.engine().getSession();
        X509Certificate peer = null;
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate x509) {
                peer = x509;
            }
        } catch (SSLPeerUnverifiedException e) {
            // no client certificate
        }
        String protocol = session.getProtocol() == null ? null : session.getProtocol().toLowerCase(Locale.ROOT);
        TlsInfo info = new TlsInfo(protocol, session.getCipherSuite(),
                peer == null ? null : distinguishedName(peer.getSubjectX500Principal()),
                peer == null ? null : distinguishedName(peer.getIssuerX500Principal()),
                peer == null ? null : peer.getNotBefore().toInstant().truncatedTo(ChronoUnit.SECONDS) + " - "
                        + peer.getNotAfter().toInstant().truncatedTo(ChronoUnit.SECONDS));
        return new TlsPeer(info, peer);
    }

    /**
     * The user name SASL EXTERNAL logs in as: the certificate's subject as RabbitMQ writes a distinguished
     * name ("CN=alex,O=Example"), or only its common name.
     */
    public String loginName(boolean commonName) {
        String subject = distinguishedName(certificate.getSubjectX500Principal());
        if (!commonName) {
            return subject;
        }
        try {
            for (Rdn rdn : new LdapName(subject).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            return subject;
        }
        return subject;
    }

    /** RFC 4514 order, the most specific part first, as RabbitMQ shows a subject. */
    private static String distinguishedName(X500Principal principal) {
        return principal.getName(X500Principal.RFC2253);
    }
}
