package dev.warren.store.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class RaftNodeLinkTest {
    @Test
    void aBatchFramesItsRequestsInOrderEmptyOnesIncluded() {
        List<byte[]> items = List.of(new byte[] {1}, new byte[0], new byte[] {2, 3, 4});
        List<byte[]> read = RaftNodeLink.unframe(ByteBuffer.wrap(RaftNodeLink.frame(items)));
        assertEquals(3, read.size());
        for (int i = 0; i < items.size(); i++) {
            assertArrayEquals(items.get(i), read.get(i));
        }
    }

    @Test
    void aServedBatchStartsItsRequestsInOrderAndAnswersEachInItsPlace() throws Exception {
        RaftNodeLink link = new RaftNodeLink(() -> {
            throw new AssertionError("serving sends nothing");
        });
        StringBuilder started = new StringBuilder();
        CompletableFuture<byte[]> slow = new CompletableFuture<>();
        link.serve(request -> {
            started.append(request[0]);
            return request[0] == 1 ? slow : CompletableFuture.completedFuture(new byte[] {(byte) (request[0] * 10)});
        });
        CompletableFuture<Message> answer = link.served(Message.valueOf(ByteString.copyFrom(
                RaftNodeLink.frame(List.of(new byte[] {1}, new byte[] {2}, new byte[] {3})))));
        assertEquals("123", started.toString());
        assertEquals(false, answer.isDone(), "answered only once every request is done");
        slow.complete(new byte[] {10});
        List<byte[]> replies = RaftNodeLink.unframe(answer.get(10, TimeUnit.SECONDS).getContent().asReadOnlyByteBuffer());
        assertArrayEquals(new byte[] {10}, replies.get(0));
        assertArrayEquals(new byte[] {20}, replies.get(1));
        assertArrayEquals(new byte[] {30}, replies.get(2));
        link.close();
    }
}
