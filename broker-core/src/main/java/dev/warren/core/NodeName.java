package dev.warren.core;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * This broker's node name as RabbitMQ shapes it, {@code warren@<short host name>}: the management API's node and
 * the firehose's {@code node} header. Looked up once (the host name lookup may block, so first use belongs off the
 * event loops).
 */
public final class NodeName {
    private NodeName() {
    }

    private static final class Holder {
        static final String NAME = "warren@" + shortHostName();
    }

    public static String get() {
        return Holder.NAME;
    }

    private static String shortHostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            int dot = name.indexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
