package dev.warren.mgmt.rates;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * What is sampled of one kind of object: named series, each read from the object, and how many samples of
 * them are kept. A series is a counter (it only grows; shown in {@code message_stats}, its details a rate)
 * or a length (a level such as a queue's ready messages).
 *
 * @param <T> the object, which is also its samples' key in {@link RateHistory}
 */
public final class SeriesSet<T> {
    public enum Kind { COUNTER, LENGTH }

    /** One series: its field name (RabbitMQ's), its kind, and how to read it now. */
    public record Series<T>(String field, Kind kind, ToLongFunction<T> reader) {
    }

    private final String name;
    private final List<Series<T>> series;
    private final int samplesKept;

    private SeriesSet(String name, List<Series<T>> series, int samplesKept) {
        this.name = name;
        this.series = List.copyOf(series);
        this.samplesKept = samplesKept;
    }

    public static <T> Builder<T> of(String name, int samplesKept) {
        return new Builder<>(name, samplesKept);
    }

    public static final class Builder<T> {
        private final String name;
        private final int samplesKept;
        private final List<Series<T>> series = new ArrayList<>();

        private Builder(String name, int samplesKept) {
            this.name = name;
            this.samplesKept = samplesKept;
        }

        public Builder<T> counter(String field, ToLongFunction<T> reader) {
            series.add(new Series<>(field, Kind.COUNTER, reader));
            return this;
        }

        public Builder<T> length(String field, ToLongFunction<T> reader) {
            series.add(new Series<>(field, Kind.LENGTH, reader));
            return this;
        }

        public SeriesSet<T> build() {
            return new SeriesSet<>(name, series, samplesKept);
        }
    }

    /** The kind of object, for logs and docs: "queue", "channel"... */
    public String name() {
        return name;
    }

    public List<Series<T>> series() {
        return series;
    }

    public int width() {
        return series.size();
    }

    /** Rows kept per object of this kind. */
    public int samplesKept() {
        return samplesKept;
    }

    /** The bytes of samples one object of this kind holds. */
    public long bytesPerObject() {
        return SampleRing.bytes(width(), samplesKept);
    }

    /** The column of a series, or -1 when there is none of that name. */
    public int column(String field) {
        for (int i = 0; i < series.size(); i++) {
            if (series.get(i).field().equals(field)) {
                return i;
            }
        }
        return -1;
    }

    /** Reads every series of the object now into {@code row}. */
    void read(T object, long[] row) {
        for (int i = 0; i < series.size(); i++) {
            row[i] = series.get(i).reader().applyAsLong(object);
        }
    }

    /** Reads one series of the object now (the live value beside its details). */
    public long readNow(T object, int column) {
        return series.get(column).reader().applyAsLong(object);
    }
}
