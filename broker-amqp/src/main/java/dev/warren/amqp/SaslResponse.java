package dev.warren.amqp;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import dev.warren.core.message.FieldTables;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The user name and password of a connection.start-ok response, for the PLAIN and AMQPLAIN mechanisms. */
record SaslResponse(String username, String password) {
    static final String MECHANISMS = "PLAIN AMQPLAIN";
    /** The certificate names the user (RabbitMQ's rabbitmq_auth_mechanism_ssl); there is nothing to parse. */
    static final String EXTERNAL = "EXTERNAL";

    static SaslResponse parse(String mechanism, byte[] response) {
        return switch (mechanism) {
            case "PLAIN" -> plain(response);
            case "AMQPLAIN" -> amqplain(response);
            default -> throw AmqpException.of(ReplyCode.ACCESS_REFUSED,
                    "unsupported authentication mechanism '%s', supported: %s", mechanism, MECHANISMS);
        };
    }

    /** PLAIN: authzid NUL authcid NUL password. */
    private static SaslResponse plain(byte[] response) {
        String text = new String(response, StandardCharsets.UTF_8);
        int first = text.indexOf('\0');
        int second = first < 0 ? -1 : text.indexOf('\0', first + 1);
        if (second < 0) {
            throw new AmqpException(ReplyCode.ACCESS_REFUSED, "malformed PLAIN response");
        }
        return new SaslResponse(text.substring(first + 1, second), text.substring(second + 1));
    }

    /** AMQPLAIN: a field table without its length prefix, holding LOGIN and PASSWORD. */
    private static SaslResponse amqplain(byte[] response) {
        ByteBuf table = Unpooled.buffer(response.length + 4).writeInt(response.length).writeBytes(response);
        try {
            Map<String, Object> fields = FieldTables.read(table);
            Object login = fields.get("LOGIN");
            Object password = fields.get("PASSWORD");
            if (login == null || password == null) {
                throw new AmqpException(ReplyCode.ACCESS_REFUSED, "AMQPLAIN response lacks LOGIN or PASSWORD");
            }
            return new SaslResponse(text(login), text(password));
        } finally {
            table.release();
        }
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : value.toString();
    }
}
