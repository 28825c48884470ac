package dev.warren.core.connection;

/**
 * The TLS of a client connection, as RabbitMQ's connection info shows it: the protocol version
 * ({@code tlsv1.3}), the cipher suite, and the client certificate's subject, issuer and validity when it
 * sent one (else null).
 */
public record TlsInfo(String protocol, String cipher, String peerCertSubject, String peerCertIssuer,
                      String peerCertValidity) {
}
