package dev.warren.core;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * This broker's node name as RabbitMQ shapes it, {@code warren@<short host name>} unless the server configures
 * another ({@code nodename}, {@code WARREN_NODENAME}): the management API's node, the firehose's {@code node}
 * header, a cluster member's name and a queue's home. The default is looked up once (the host name lookup may
 * block, so first use belongs off the event loops); the server sets the configured name before anything reads it.
 */
public final class NodeName {
    private static volatile String configured;

    private NodeName() {
    }

    private static final class Holder {
        static final String NAME = "warren@" + shortHostName();
    }

    public static String get() {
        String name = configured;
        return name != null ? name : Holder.NAME;
    }

    /** The default, {@code warren@<short host name>}, whatever was configured. */
    public static String defaultName() {
        return Holder.NAME;
    }

    /** Sets the name this process goes by (at start, before listeners open). */
    public static void set(String name) {
        configured = name;
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
