package dev.warren.core.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.warren.core.AmqpException;
import dev.warren.core.ReplyCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HomeRequestTest {
    @Test
    void everyRequestReadsBackAsItWasWritten() throws IOException {
        byte[] message = "a message".getBytes(StandardCharsets.UTF_8);
        HomeRequest.Publish publish = (HomeRequest.Publish) HomeRequest.decode(
                HomeRequest.encode(new HomeRequest.Publish("/", "orders", message)));
        assertEquals("/", publish.vhost());
        assertEquals("orders", publish.queue());
        assertArrayEquals(message, publish.message());
        assertEquals(new HomeRequest.Counts("v", "q"), HomeRequest.decode(HomeRequest.encode(new HomeRequest.Counts("v", "q"))));
        assertEquals(new HomeRequest.Purge("v", "q"), HomeRequest.decode(HomeRequest.encode(new HomeRequest.Purge("v", "q"))));
        assertEquals(new HomeRequest.Delete("v", "q", true, false),
                HomeRequest.decode(HomeRequest.encode(new HomeRequest.Delete("v", "q", true, false))));
        assertEquals(new HomeRequest.GetNoAck("v", "é"), HomeRequest.decode(HomeRequest.encode(new HomeRequest.GetNoAck("v", "é"))));
    }

    @Test
    void anUnknownRequestTypeIsRefusedWhenRead() {
        byte[] bytes = HomeRequest.encode(new HomeRequest.Counts("v", "q"));
        bytes[0] = 99;
        assertThrows(IOException.class, () -> HomeRequest.decode(bytes));
    }

    @Test
    void aReplyCarriesCountsAMessageOrTheHomeNodesErrorWithItsReplyCodeAndText() {
        HomeReply counts = HomeReply.decode(HomeReply.done(5, 2).encode());
        assertEquals(HomeReply.Status.DONE, counts.status());
        assertEquals(5, counts.count());
        assertEquals(2, counts.secondCount());
        assertNull(counts.message());

        HomeReply got = HomeReply.decode(HomeReply.got(new byte[] {1, 2, 3}, true, 7, 0).encode());
        assertArrayEquals(new byte[] {1, 2, 3}, got.message());
        assertEquals(true, got.redelivered());
        assertEquals(7, got.count());

        assertEquals(HomeReply.Status.REFUSED, HomeReply.decode(HomeReply.refused().encode()).status());

        HomeReply failed = HomeReply.decode(HomeReply.failed(
                AmqpException.of(ReplyCode.PRECONDITION_FAILED, "queue 'q' in vhost '/' in use")).encode());
        AmqpException error = assertThrows(AmqpException.class, failed::orThrow);
        assertEquals(ReplyCode.PRECONDITION_FAILED, error.replyCode());
        assertEquals("PRECONDITION_FAILED - queue 'q' in vhost '/' in use", error.replyText());
    }
}
