package dev.warren.amqp.protocol;

import static dev.warren.amqp.protocol.FieldType.BIT;
import static dev.warren.amqp.protocol.FieldType.LONG;
import static dev.warren.amqp.protocol.FieldType.LONGLONG;
import static dev.warren.amqp.protocol.FieldType.LONGSTR;
import static dev.warren.amqp.protocol.FieldType.OCTET;
import static dev.warren.amqp.protocol.FieldType.SHORT;
import static dev.warren.amqp.protocol.FieldType.SHORTSTR;
import static dev.warren.amqp.protocol.FieldType.TABLE;

import java.util.ArrayList;
import java.util.List;

/**
 * Every class and method of AMQP 0-9-1 as RabbitMQ speaks it (including its extensions: confirm.*,
 * basic.nack, exchange.bind/unbind, connection.blocked/unblocked and update-secret). This table is the
 * only description of the protocol's methods: {@link MethodCodec} decodes and encodes from it.
 */
public final class Methods {
    private static final boolean WITH_CONTENT = true;
    private static final boolean NO_CONTENT = false;
    private static final int MAX_CLASS_ID = 90;
    private static final int MAX_METHOD_ID = 120;
    private static final MethodSpec[][] BY_ID = new MethodSpec[MAX_CLASS_ID + 1][];
    private static final List<MethodSpec> ALL = new ArrayList<>();

    // connection (class 10)
    public static final MethodSpec CONNECTION_START = define(10, 10, "connection.start", NO_CONTENT,
            f("version-major", OCTET), f("version-minor", OCTET), f("server-properties", TABLE),
            f("mechanisms", LONGSTR), f("locales", LONGSTR));
    public static final MethodSpec CONNECTION_START_OK = define(10, 11, "connection.start-ok", NO_CONTENT,
            f("client-properties", TABLE), f("mechanism", SHORTSTR), f("response", LONGSTR), f("locale", SHORTSTR));
    public static final MethodSpec CONNECTION_SECURE = define(10, 20, "connection.secure", NO_CONTENT,
            f("challenge", LONGSTR));
    public static final MethodSpec CONNECTION_SECURE_OK = define(10, 21, "connection.secure-ok", NO_CONTENT,
            f("response", LONGSTR));
    public static final MethodSpec CONNECTION_TUNE = define(10, 30, "connection.tune", NO_CONTENT,
            f("channel-max", SHORT), f("frame-max", LONG), f("heartbeat", SHORT));
    public static final MethodSpec CONNECTION_TUNE_OK = define(10, 31, "connection.tune-ok", NO_CONTENT,
            f("channel-max", SHORT), f("frame-max", LONG), f("heartbeat", SHORT));
    public static final MethodSpec CONNECTION_OPEN = define(10, 40, "connection.open", NO_CONTENT,
            f("virtual-host", SHORTSTR), f("capabilities", SHORTSTR), f("insist", BIT));
    public static final MethodSpec CONNECTION_OPEN_OK = define(10, 41, "connection.open-ok", NO_CONTENT,
            f("known-hosts", SHORTSTR));
    public static final MethodSpec CONNECTION_CLOSE = define(10, 50, "connection.close", NO_CONTENT,
            f("reply-code", SHORT), f("reply-text", SHORTSTR), f("class-id", SHORT), f("method-id", SHORT));
    public static final MethodSpec CONNECTION_CLOSE_OK = define(10, 51, "connection.close-ok", NO_CONTENT);
    public static final MethodSpec CONNECTION_BLOCKED = define(10, 60, "connection.blocked", NO_CONTENT,
            f("reason", SHORTSTR));
    public static final MethodSpec CONNECTION_UNBLOCKED = define(10, 61, "connection.unblocked", NO_CONTENT);
    public static final MethodSpec CONNECTION_UPDATE_SECRET = define(10, 70, "connection.update-secret", NO_CONTENT,
            f("new-secret", LONGSTR), f("reason", SHORTSTR));
    public static final MethodSpec CONNECTION_UPDATE_SECRET_OK = define(10, 71, "connection.update-secret-ok", NO_CONTENT);

    // channel (class 20)
    public static final MethodSpec CHANNEL_OPEN = define(20, 10, "channel.open", NO_CONTENT,
            f("out-of-band", SHORTSTR));
    public static final MethodSpec CHANNEL_OPEN_OK = define(20, 11, "channel.open-ok", NO_CONTENT,
            f("channel-id", LONGSTR));
    public static final MethodSpec CHANNEL_FLOW = define(20, 20, "channel.flow", NO_CONTENT, f("active", BIT));
    public static final MethodSpec CHANNEL_FLOW_OK = define(20, 21, "channel.flow-ok", NO_CONTENT, f("active", BIT));
    public static final MethodSpec CHANNEL_CLOSE = define(20, 40, "channel.close", NO_CONTENT,
            f("reply-code", SHORT), f("reply-text", SHORTSTR), f("class-id", SHORT), f("method-id", SHORT));
    public static final MethodSpec CHANNEL_CLOSE_OK = define(20, 41, "channel.close-ok", NO_CONTENT);

    // access (class 30)
    public static final MethodSpec ACCESS_REQUEST = define(30, 10, "access.request", NO_CONTENT,
            f("realm", SHORTSTR), f("exclusive", BIT), f("passive", BIT), f("active", BIT), f("write", BIT),
            f("read", BIT));
    public static final MethodSpec ACCESS_REQUEST_OK = define(30, 11, "access.request-ok", NO_CONTENT,
            f("ticket", SHORT));

    // exchange (class 40)
    public static final MethodSpec EXCHANGE_DECLARE = define(40, 10, "exchange.declare", NO_CONTENT,
            f("ticket", SHORT), f("exchange", SHORTSTR), f("type", SHORTSTR), f("passive", BIT), f("durable", BIT),
            f("auto-delete", BIT), f("internal", BIT), f("nowait", BIT), f("arguments", TABLE));
    public static final MethodSpec EXCHANGE_DECLARE_OK = define(40, 11, "exchange.declare-ok", NO_CONTENT);
    public static final MethodSpec EXCHANGE_DELETE = define(40, 20, "exchange.delete", NO_CONTENT,
            f("ticket", SHORT), f("exchange", SHORTSTR), f("if-unused", BIT), f("nowait", BIT));
    public static final MethodSpec EXCHANGE_DELETE_OK = define(40, 21, "exchange.delete-ok", NO_CONTENT);
    public static final MethodSpec EXCHANGE_BIND = define(40, 30, "exchange.bind", NO_CONTENT, f("ticket", SHORT),
            f("destination", SHORTSTR), f("source", SHORTSTR), f("routing-key", SHORTSTR), f("nowait", BIT),
            f("arguments", TABLE));
    public static final MethodSpec EXCHANGE_BIND_OK = define(40, 31, "exchange.bind-ok", NO_CONTENT);
    public static final MethodSpec EXCHANGE_UNBIND = define(40, 40, "exchange.unbind", NO_CONTENT,
            f("ticket", SHORT), f("destination", SHORTSTR), f("source", SHORTSTR), f("routing-key", SHORTSTR),
            f("nowait", BIT), f("arguments", TABLE));
    public static final MethodSpec EXCHANGE_UNBIND_OK = define(40, 51, "exchange.unbind-ok", NO_CONTENT);

    // queue (class 50)
    public static final MethodSpec QUEUE_DECLARE = define(50, 10, "queue.declare", NO_CONTENT, f("ticket", SHORT),
            f("queue", SHORTSTR), f("passive", BIT), f("durable", BIT), f("exclusive", BIT), f("auto-delete", BIT),
            f("nowait", BIT), f("arguments", TABLE));
    public static final MethodSpec QUEUE_DECLARE_OK = define(50, 11, "queue.declare-ok", NO_CONTENT,
            f("queue", SHORTSTR), f("message-count", LONG), f("consumer-count", LONG));
    public static final MethodSpec QUEUE_BIND = define(50, 20, "queue.bind", NO_CONTENT, f("ticket", SHORT),
            f("queue", SHORTSTR), f("exchange", SHORTSTR), f("routing-key", SHORTSTR), f("nowait", BIT),
            f("arguments", TABLE));
    public static final MethodSpec QUEUE_BIND_OK = define(50, 21, "queue.bind-ok", NO_CONTENT);
    public static final MethodSpec QUEUE_PURGE = define(50, 30, "queue.purge", NO_CONTENT, f("ticket", SHORT),
            f("queue", SHORTSTR), f("nowait", BIT));
    public static final MethodSpec QUEUE_PURGE_OK = define(50, 31, "queue.purge-ok", NO_CONTENT,
            f("message-count", LONG));
    public static final MethodSpec QUEUE_DELETE = define(50, 40, "queue.delete", NO_CONTENT, f("ticket", SHORT),
            f("queue", SHORTSTR), f("if-unused", BIT), f("if-empty", BIT), f("nowait", BIT));
    public static final MethodSpec QUEUE_DELETE_OK = define(50, 41, "queue.delete-ok", NO_CONTENT,
            f("message-count", LONG));
    public static final MethodSpec QUEUE_UNBIND = define(50, 50, "queue.unbind", NO_CONTENT, f("ticket", SHORT),
            f("queue", SHORTSTR), f("exchange", SHORTSTR), f("routing-key", SHORTSTR), f("arguments", TABLE));
    public static final MethodSpec QUEUE_UNBIND_OK = define(50, 51, "queue.unbind-ok", NO_CONTENT);

    // basic (class 60)
    public static final MethodSpec BASIC_QOS = define(60, 10, "basic.qos", NO_CONTENT, f("prefetch-size", LONG),
            f("prefetch-count", SHORT), f("global", BIT));
    public static final MethodSpec BASIC_QOS_OK = define(60, 11, "basic.qos-ok", NO_CONTENT);
    public static final MethodSpec BASIC_CONSUME = define(60, 20, "basic.consume", NO_CONTENT, f("ticket", SHORT),
            f("queue", SHORTSTR), f("consumer-tag", SHORTSTR), f("no-local", BIT), f("no-ack", BIT),
            f("exclusive", BIT), f("nowait", BIT), f("arguments", TABLE));
    public static final MethodSpec BASIC_CONSUME_OK = define(60, 21, "basic.consume-ok", NO_CONTENT,
            f("consumer-tag", SHORTSTR));
    public static final MethodSpec BASIC_CANCEL = define(60, 30, "basic.cancel", NO_CONTENT,
            f("consumer-tag", SHORTSTR), f("nowait", BIT));
    public static final MethodSpec BASIC_CANCEL_OK = define(60, 31, "basic.cancel-ok", NO_CONTENT,
            f("consumer-tag", SHORTSTR));
    public static final MethodSpec BASIC_PUBLISH = define(60, 40, "basic.publish", WITH_CONTENT, f("ticket", SHORT),
            f("exchange", SHORTSTR), f("routing-key", SHORTSTR), f("mandatory", BIT), f("immediate", BIT));
    public static final MethodSpec BASIC_RETURN = define(60, 50, "basic.return", WITH_CONTENT,
            f("reply-code", SHORT), f("reply-text", SHORTSTR), f("exchange", SHORTSTR), f("routing-key", SHORTSTR));
    public static final MethodSpec BASIC_DELIVER = define(60, 60, "basic.deliver", WITH_CONTENT,
            f("consumer-tag", SHORTSTR), f("delivery-tag", LONGLONG), f("redelivered", BIT), f("exchange", SHORTSTR),
            f("routing-key", SHORTSTR));
    public static final MethodSpec BASIC_GET = define(60, 70, "basic.get", NO_CONTENT, f("ticket", SHORT),
            f("queue", SHORTSTR), f("no-ack", BIT));
    public static final MethodSpec BASIC_GET_OK = define(60, 71, "basic.get-ok", WITH_CONTENT,
            f("delivery-tag", LONGLONG), f("redelivered", BIT), f("exchange", SHORTSTR), f("routing-key", SHORTSTR),
            f("message-count", LONG));
    public static final MethodSpec BASIC_GET_EMPTY = define(60, 72, "basic.get-empty", NO_CONTENT,
            f("cluster-id", SHORTSTR));
    public static final MethodSpec BASIC_ACK = define(60, 80, "basic.ack", NO_CONTENT, f("delivery-tag", LONGLONG),
            f("multiple", BIT));
    public static final MethodSpec BASIC_REJECT = define(60, 90, "basic.reject", NO_CONTENT,
            f("delivery-tag", LONGLONG), f("requeue", BIT));
    public static final MethodSpec BASIC_RECOVER_ASYNC = define(60, 100, "basic.recover-async", NO_CONTENT,
            f("requeue", BIT));
    public static final MethodSpec BASIC_RECOVER = define(60, 110, "basic.recover", NO_CONTENT, f("requeue", BIT));
    public static final MethodSpec BASIC_RECOVER_OK = define(60, 111, "basic.recover-ok", NO_CONTENT);
    public static final MethodSpec BASIC_NACK = define(60, 120, "basic.nack", NO_CONTENT,
            f("delivery-tag", LONGLONG), f("multiple", BIT), f("requeue", BIT));

    // tx (class 90)
    public static final MethodSpec TX_SELECT = define(90, 10, "tx.select", NO_CONTENT);
    public static final MethodSpec TX_SELECT_OK = define(90, 11, "tx.select-ok", NO_CONTENT);
    public static final MethodSpec TX_COMMIT = define(90, 20, "tx.commit", NO_CONTENT);
    public static final MethodSpec TX_COMMIT_OK = define(90, 21, "tx.commit-ok", NO_CONTENT);
    public static final MethodSpec TX_ROLLBACK = define(90, 30, "tx.rollback", NO_CONTENT);
    public static final MethodSpec TX_ROLLBACK_OK = define(90, 31, "tx.rollback-ok", NO_CONTENT);

    // confirm (class 85)
    public static final MethodSpec CONFIRM_SELECT = define(85, 10, "confirm.select", NO_CONTENT, f("nowait", BIT));
    public static final MethodSpec CONFIRM_SELECT_OK = define(85, 11, "confirm.select-ok", NO_CONTENT);

    private Methods() {
    }

    /** The method with these ids, or null when the protocol has none. */
    public static MethodSpec lookup(int classId, int methodId) {
        if (classId < 0 || classId > MAX_CLASS_ID || methodId < 0 || methodId > MAX_METHOD_ID) {
            return null;
        }
        MethodSpec[] methods = BY_ID[classId];
        return methods == null ? null : methods[methodId];
    }

    public static List<MethodSpec> all() {
        return List.copyOf(ALL);
    }

    private static FieldSpec f(String name, FieldType type) {
        return new FieldSpec(name, type);
    }

    private static MethodSpec define(int classId, int methodId, String name, boolean hasContent, FieldSpec... fields) {
        MethodSpec spec = new MethodSpec(classId, methodId, name, hasContent, List.of(fields));
        if (BY_ID[classId] == null) {
            BY_ID[classId] = new MethodSpec[MAX_METHOD_ID + 1];
        }
        BY_ID[classId][methodId] = spec;
        ALL.add(spec);
        return spec;
    }
}
