package dev.warren.core;

/**
 * The one error type of the broker: a reply code and a readable text, plus the class and method id of
 * the method that caused it (filled in by the protocol layer when core does not know them).
 * The reply text reads like RabbitMQ's: {@code NOT_FOUND - no queue 'orders' in vhost '/'}.
 */
public final class AmqpException extends RuntimeException {
    private final ReplyCode replyCode;
    private final int classId;
    private final int methodId;

    public AmqpException(ReplyCode replyCode, String detail) {
        this(replyCode, detail, 0, 0);
    }

    public AmqpException(ReplyCode replyCode, String detail, int classId, int methodId) {
        super(replyCode.name() + " - " + detail, null, false, false);
        this.replyCode = replyCode;
        this.classId = classId;
        this.methodId = methodId;
    }

    public static AmqpException of(ReplyCode code, String format, Object... args) {
        return new AmqpException(code, String.format(format, args));
    }

    public ReplyCode replyCode() {
        return replyCode;
    }

    /** The reply text to send: the code's name, a dash, and the detail. */
    public String replyText() {
        return getMessage();
    }

    public int classId() {
        return classId;
    }

    public int methodId() {
        return methodId;
    }

    /** The same error attributed to the method that caused it, unless already attributed. */
    public AmqpException withMethod(int classId, int methodId) {
        if (this.classId != 0 || this.methodId != 0) {
            return this;
        }
        String detail = getMessage().substring(replyCode.name().length() + 3);
        return new AmqpException(replyCode, detail, classId, methodId);
    }
}
