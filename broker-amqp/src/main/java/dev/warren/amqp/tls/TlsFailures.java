package dev.warren.amqp.tls;

import io.netty.handler.ssl.NotSslRecordException;
import java.security.cert.CertificateException;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * Why a client's TLS handshake failed, in words an operator can act on. OpenSSL reports reasons as codes
 * ("error:100000c0:SSL routines:OPENSSL_internal:PEER_DID_NOT_RETURN_A_CERTIFICATE"), and a certificate our
 * trust manager refused only as "General OpenSslEngine problem" with the refusal as its cause.
 */
public final class TlsFailures {
    /** OpenSSL's reason codes seen from clients, and what they mean for this listener. */
    private static final Map<String, String> REASONS = Map.ofEntries(
            Map.entry("PEER_DID_NOT_RETURN_A_CERTIFICATE",
                    "the client sent no certificate and one is required (ssl_options.fail_if_no_peer_cert)"),
            Map.entry("UNSUPPORTED_PROTOCOL", "the client offers no TLS version this listener accepts (ssl_options.versions)"),
            Map.entry("NO_SHARED_CIPHER", "the client offers no cipher suite this listener accepts (ssl_options.ciphers)"),
            Map.entry("TLSV1_ALERT_UNKNOWN_CA", "the client does not trust this listener's certificate (alert unknown_ca)"),
            Map.entry("SSLV3_ALERT_BAD_CERTIFICATE", "the client refused this listener's certificate (alert bad_certificate)"),
            Map.entry("SSLV3_ALERT_CERTIFICATE_UNKNOWN",
                    "the client refused this listener's certificate (alert certificate_unknown)"),
            Map.entry("TLSV1_ALERT_DECRYPT_ERROR", "the client could not check this listener's certificate (alert decrypt_error)"),
            Map.entry("WRONG_VERSION_NUMBER", "the client does not speak TLS (plain AMQP to the TLS port?)"),
            Map.entry("HTTP_REQUEST", "the client sent HTTP, not TLS"),
            Map.entry("BAD_PACKET_LENGTH", "the client sent something that is not a TLS record"));

    private TlsFailures() {
    }

    /** The refused certificate's explanation, else OpenSSL's reason in words, else the exception's message. */
    public static String reason(SSLException e) {
        if (e instanceof NotSslRecordException) {
            return "the client did not start a TLS handshake (plain AMQP to the TLS port?)";
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof CertificateException && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int colon = message.lastIndexOf(':');
        String code = colon < 0 ? message : message.substring(colon + 1);
        String words = REASONS.get(code);
        return words == null ? message : words + " [" + code + "]";
    }
}
