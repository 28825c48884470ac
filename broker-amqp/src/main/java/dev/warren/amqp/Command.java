package dev.warren.amqp;

import dev.warren.amqp.protocol.Method;
import io.netty.buffer.ByteBuf;

/**
 * A complete command from a client: a method, and for content-bearing methods the property bytes and
 * the body. The content buffers are owned by whoever takes the command.
 */
record Command(Method method, ByteBuf properties, ByteBuf body) {
    void release() {
        if (properties != null) {
            properties.release();
        }
        if (body != null) {
            body.release();
        }
    }
}
