package dev.warren.amqp.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.ssl.NotSslRecordException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class TlsFailuresTest {
    @Test
    void openSslReasonCodesAreSaidInWordsWithTheCodeKept() {
        assertEquals("the client offers no TLS version this listener accepts (ssl_options.versions) [UNSUPPORTED_PROTOCOL]",
                TlsFailures.reason(new SSLHandshakeException("error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL")));
    }

    @Test
    void aRefusedCertificateIsExplainedByTheRefusalNotTheEnginesGeneralMessage() {
        SSLHandshakeException e = new SSLHandshakeException("General OpenSslEngine problem");
        e.initCause(new CertificateException("the client certificate CN=x is not issued by a CA in /ca.pem"));
        assertEquals("the client certificate CN=x is not issued by a CA in /ca.pem", TlsFailures.reason(e));
    }

    @Test
    void plainTextOnTheTlsPortIsNamed() {
        assertEquals("the client did not start a TLS handshake (plain AMQP to the TLS port?)",
                TlsFailures.reason(new NotSslRecordException("not an SSL/TLS record")));
    }

    @Test
    void anUnknownReasonIsPassedOnAsItIs() {
        assertEquals("Received fatal alert: something_new", TlsFailures.reason(new SSLException("Received fatal alert: something_new")));
    }
}
