package dev.warren.mgmt.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP connection: copies each request off the event loop's buffers, hands it to the blocking executor
 * and writes the answer back. Requests are handled one at a time per connection, and reading pauses while
 * any wait, so pipelined requests are answered in order and a client cannot queue up unbounded work.
 */
final class HttpChannelHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpChannelHandler.class);
    private final Function<ApiRequest, ApiResponse> handler;
    private final Executor executor;

    HttpChannelHandler(Function<ApiRequest, ApiResponse> handler, Executor executor) {
        this.handler = handler;
        this.executor = executor;
    }

    /** A request read and not answered yet: either ready to run, or already answered (malformed input). */
    private record Pending(ApiRequest request, ApiResponse immediate, boolean keepAlive) {
    }

    /** Requests waiting behind the one being handled (pipelining); event loop only. */
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private boolean busy;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        if (!msg.decoderResult().isSuccess()) {
            waiting.add(new Pending(null, ApiResponse.error(ApiException.badRequest("malformed HTTP request")), false));
        } else {
            try {
                waiting.add(new Pending(copy(ctx, msg), null, keepAlive));
            } catch (ApiException e) {
                waiting.add(new Pending(null, ApiResponse.error(e), keepAlive));
            }
        }
        ctx.channel().config().setAutoRead(false);
        next(ctx);
    }

    /** Starts on the next waiting request unless one is being handled; reading resumes once none wait. */
    private void next(ChannelHandlerContext ctx) {
        if (busy) {
            return;
        }
        Pending pending = waiting.poll();
        if (pending == null) {
            ctx.channel().config().setAutoRead(true);
            return;
        }
        if (pending.immediate() != null) {
            write(ctx, pending.immediate(), pending.keepAlive());
            if (pending.keepAlive()) {
                next(ctx);
            } else {
                waiting.clear();
            }
            return;
        }
        busy = true;
        try {
            executor.execute(() -> respond(ctx, pending.request(), pending.keepAlive()));
        } catch (RejectedExecutionException e) {
            waiting.clear();
            write(ctx, ApiResponse.error(ApiException.unavailable("the management API is busy or stopping")), false);
        }
    }

    /** On the handler pool: runs the request, then writes the answer from the connection's event loop. */
    private void respond(ChannelHandlerContext ctx, ApiRequest request, boolean keepAlive) {
        ApiResponse response;
        try {
            response = handler.apply(request);
        } catch (RuntimeException | Error e) { // the dispatcher answers every failure; this is a last resort
            LOG.error("Management API: {} {} failed", request.method(), request.rawPath(), e);
            response = ApiResponse.error(new ApiException(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "internal_server_error", "the request failed; the broker log has the details"));
        }
        ApiResponse answer = response;
        try {
            ctx.executor().execute(() -> {
                busy = false;
                write(ctx, answer, keepAlive);
                if (keepAlive) {
                    next(ctx);
                } else {
                    waiting.clear();
                }
            });
        } catch (RejectedExecutionException e) {
            // the server is stopping; its connections are being closed
        }
    }

    private static ApiRequest copy(ChannelHandlerContext ctx, FullHttpRequest msg) {
        QueryStringDecoder uri = new QueryStringDecoder(msg.uri());
        String rawPath = msg.uri().contains("?") ? msg.uri().substring(0, msg.uri().indexOf('?')) : msg.uri();
        List<String> segments = PathSegments.of(rawPath);
        HttpHeaders headers = new DefaultHttpHeaders().set(msg.headers());
        byte[] body = ByteBufUtil.getBytes(msg.content());
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        return new ApiRequest(msg.method(), rawPath, segments, uri.parameters(), headers, body,
                peer == null ? null : peer.getAddress(), Map.of(), null);
    }

    private static void write(ChannelHandlerContext ctx, ApiResponse response, boolean keepAlive) {
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(),
                Unpooled.wrappedBuffer(response.body()));
        HttpHeaders headers = out.headers();
        if (response.contentType() != null) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        }
        headers.set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        response.headers().forEach(headers::set);
        HttpUtil.setContentLength(out, response.body().length);
        if (keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(out);
        } else {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
