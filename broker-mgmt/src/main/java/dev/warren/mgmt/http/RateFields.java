package dev.warren.mgmt.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warren.mgmt.rates.Details;
import dev.warren.mgmt.rates.Range;
import dev.warren.mgmt.rates.RateHistory;
import dev.warren.mgmt.rates.SeriesSet;
import java.util.Collection;

/**
 * Writes sampled rates into an API answer as RabbitMQ shapes them. Beside each counter or length {@code x}
 * goes {@code x_details}: {@code {"rate": per second}}, and when the request asked for a range
 * ({@code msg_rates_age}/{@code msg_rates_incr} for counters, {@code lengths_age}/{@code lengths_incr} for
 * lengths) also {@code "samples": [{"sample": value, "timestamp": epoch ms}, ...]} newest first, and
 * {@code avg_rate} and {@code avg} when there are two samples or more. The sums RabbitMQ shows are added:
 * {@code deliver_get} (deliver, deliver_no_ack, get, get_no_ack) and {@code messages} (ready and unacked).
 */
final class RateFields {
    private static final String[] DELIVER_GET = {"deliver", "deliver_no_ack", "get", "get_no_ack"};
    private static final String[] MESSAGES = {"messages_ready", "messages_unacknowledged"};

    private final RateHistory history;
    private final Range msgRates;
    private final Range lengths;

    private RateFields(RateHistory history, Range msgRates, Range lengths) {
        this.history = history;
        this.msgRates = msgRates;
        this.lengths = lengths;
    }

    /** The ranges the request asks for; a 400 when its range parameters are not valid. */
    static RateFields of(ApiRequest request, RateHistory history) {
        try {
            return new RateFields(history, range(request, Range.MSG_RATES), range(request, Range.LENGTHS));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static Range range(ApiRequest request, String prefix) {
        return Range.parse(prefix, request.queryParam(prefix + "_age"), request.queryParam(prefix + "_incr"));
    }

    /** {@code message_stats} with every counter of the object: its value now and its details. */
    <T> void messageStats(ObjectNode out, T object, SeriesSet<T> set) {
        counters(out.putObject("message_stats"), object, set);
    }

    /** Every counter of the object into {@code stats}, with details, and deliver_get when the object has them. */
    <T> void counters(ObjectNode stats, T object, SeriesSet<T> set) {
        for (int column = 0; column < set.width(); column++) {
            SeriesSet.Series<T> series = set.series().get(column);
            if (series.kind() == SeriesSet.Kind.COUNTER) {
                stats.put(series.field(), set.readNow(object, column));
                stats.set(series.field() + "_details", json(history.details(object, msgRates, column)));
            }
        }
        int[] deliverGet = columns(set, DELIVER_GET);
        if (deliverGet != null) {
            long now = 0;
            for (int column : deliverGet) {
                now += set.readNow(object, column);
            }
            stats.put("deliver_get", now);
            stats.set("deliver_get_details", json(history.details(object, msgRates, deliverGet)));
        }
    }

    /** The details of the object's lengths (their values are in the answer already), and of their sum, messages. */
    <T> void lengthDetails(ObjectNode out, T object, SeriesSet<T> set) {
        for (int column = 0; column < set.width(); column++) {
            SeriesSet.Series<T> series = set.series().get(column);
            if (series.kind() == SeriesSet.Kind.LENGTH) {
                out.set(series.field() + "_details", json(history.details(object, lengths, column)));
            }
        }
        int[] messages = columns(set, MESSAGES);
        if (messages != null) {
            out.set("messages_details", json(history.details(object, lengths, messages)));
        }
    }

    /** The details of messages, messages_ready and messages_unacknowledged summed over several objects. */
    <T> void summedMessageDetails(ObjectNode out, Collection<? extends T> objects, SeriesSet<T> set) {
        int[] messages = columns(set, MESSAGES);
        out.set("messages_details", json(history.summedDetails(objects, lengths, messages)));
        out.set("messages_ready_details", json(history.summedDetails(objects, lengths, messages[0])));
        out.set("messages_unacknowledged_details", json(history.summedDetails(objects, lengths, messages[1])));
    }

    /** The columns of these fields, or null when the set lacks one. */
    private static int[] columns(SeriesSet<?> set, String[] fields) {
        int[] columns = new int[fields.length];
        for (int i = 0; i < fields.length; i++) {
            columns[i] = set.column(fields[i]);
            if (columns[i] < 0) {
                return null;
            }
        }
        return columns;
    }

    static ObjectNode json(Details d) {
        ObjectNode n = Json.object().put("rate", d.rate());
        if (d.hasSamples()) {
            ArrayNode samples = n.putArray("samples");
            for (int i = 0; i < d.sampleTimes().length; i++) {
                samples.addObject().put("sample", d.sampleValues()[i]).put("timestamp", d.sampleTimes()[i]);
            }
            if (d.hasAverages()) {
                n.put("avg_rate", d.avgRate()).put("avg", d.avg());
            }
        }
        return n;
    }
}
