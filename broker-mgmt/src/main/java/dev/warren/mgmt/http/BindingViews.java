package dev.warren.mgmt.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.core.Binding;
import dev.warren.core.Exchange;
import dev.warren.core.MessageQueue;
import dev.warren.core.VirtualHost;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Bindings as the API lists them, including RabbitMQ's implicit binding of every queue to the default
 * exchange, and their {@code properties_key}: "~" for an empty routing key without arguments, the routing key
 * (with "%" and "~" escaped) when there are no arguments, else the escaped key, "~" and a hash of the
 * arguments. DELETE finds a binding by computing the same key for each candidate.
 */
final class BindingViews {
    private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final Comparator<Listed> ORDER = Comparator.comparing((Listed b) -> b.source)
            .thenComparing(b -> b.destinationType).thenComparing(b -> b.destination).thenComparing(b -> b.routingKey)
            .thenComparing(b -> b.propertiesKey);

    /** One row of a binding listing; {@code binding} is null for the implicit default-exchange bindings. */
    record Listed(String vhost, String source, String destination, String destinationType, String routingKey,
                  Map<String, Object> arguments, String propertiesKey, Binding binding) {
        ObjectNode json() {
            ObjectNode n = Json.object()
                    .put("source", source)
                    .put("vhost", vhost)
                    .put("destination", destination)
                    .put("destination_type", destinationType)
                    .put("routing_key", routingKey);
            n.set("arguments", Json.table(arguments));
            n.put("properties_key", propertiesKey);
            return n;
        }
    }

    private BindingViews() {
    }

    /** Every binding in the virtual host that matches, sorted by source, destination and key. */
    static List<Listed> list(VirtualHost vhost, Predicate<Listed> which) {
        List<Listed> all = new ArrayList<>();
        for (MessageQueue q : vhost.queues()) {
            all.add(new Listed(vhost.name(), "", q.name(), "queue", q.name(), Map.of(), propertiesKey(q.name(), Map.of()), null));
        }
        for (Exchange e : vhost.exchanges()) {
            for (Binding b : e.bindings()) {
                all.add(new Listed(vhost.name(), e.name(), b.destination().name(), b.destination().kind(), b.routingKey(),
                        b.arguments(), propertiesKey(b.routingKey(), b.arguments()), b));
            }
        }
        List<Listed> matching = new ArrayList<>();
        for (Listed b : all) {
            if (which.test(b)) {
                matching.add(b);
            }
        }
        matching.sort(ORDER);
        return matching;
    }

    static String propertiesKey(String routingKey, Map<String, Object> arguments) {
        boolean noArguments = arguments == null || arguments.isEmpty();
        if (noArguments) {
            return routingKey.isEmpty() ? "~" : escape(routingKey);
        }
        return escape(routingKey) + "~" + hash(arguments);
    }

    private static String escape(String routingKey) {
        return routingKey.replace("%", "%25").replace("~", "%7E");
    }

    private static String hash(Map<String, Object> arguments) {
        try {
            byte[] canonical = CANONICAL.writeValueAsBytes(new TreeMap<>(arguments));
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 12));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash binding arguments", e);
        }
    }

    static String encodeSegment(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
