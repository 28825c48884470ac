package dev.warren.core.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionCountersTest {
    @Test
    void totalsAddUpTheOpenChannels() {
        ConnectionCounters connection = new ConnectionCounters();
        OwnedCounters one = connection.opened();
        OwnedCounters two = connection.opened();
        one.add(Counter.PUBLISH, 3);
        two.increment(Counter.PUBLISH);
        two.increment(Counter.ACK);

        assertEquals(4, connection.total(Counter.PUBLISH));
        assertEquals(1, connection.total(Counter.ACK));
        assertEquals(List.of(one, two), connection.openChannels());
    }

    @Test
    void aClosedChannelsCountsStayInTheTotals() {
        ConnectionCounters connection = new ConnectionCounters();
        OwnedCounters closing = connection.opened();
        OwnedCounters staying = connection.opened();
        closing.add(Counter.DELIVER, 5);
        staying.add(Counter.DELIVER, 2);

        connection.closed(closing);
        connection.closed(closing); // a second close changes nothing

        assertEquals(7, connection.total(Counter.DELIVER));
        assertEquals(List.of(staying), connection.openChannels());
    }
}
