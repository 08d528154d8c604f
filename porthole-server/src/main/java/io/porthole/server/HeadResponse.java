package io.porthole.server;

import io.helidon.common.GenericType;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.ServerResponseTrailers;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http.spi.Sink;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The answer to a HEAD request: a GET handler (or the error mapper) writes to it as to any response; the status
 * and headers go out, with the {@code Content-Length} the body would have had, and the body does not (Helidon
 * 4.5 would send it, and the client would read it as the start of the next answer). Not thread-safe, as a
 * response is not.
 */
final class HeadResponse implements ServerResponse {
    private final ServerResponse delegate;

    private HeadResponse(ServerResponse delegate) {
        this.delegate = delegate;
    }

    /** {@code res} itself, or, for a HEAD request, a response that sends no body. */
    static ServerResponse of(ServerRequest req, ServerResponse res) {
        return req.prologue().method() == Method.HEAD && !(res instanceof HeadResponse) ? new HeadResponse(res) : res;
    }

    @Override
    public void send(byte[] bytes) {
        send(bytes, 0, bytes.length);
    }

    @Override
    public void send(byte[] bytes, int position, int length) {
        sendHeaders(length);
    }

    @Override
    public void send(Object entity) {
        switch (entity) {
            case byte[] b -> send(b);
            case String s -> send(s.getBytes(StandardCharsets.UTF_8));
            default -> throw new IllegalStateException("a HEAD answer takes bytes or text, not " + entity.getClass());
        }
    }

    @Override
    public void send() {
        delegate.send();
    }

    /** Counts what is written and drops it; closing sends the status and headers. */
    @Override
    public OutputStream outputStream() {
        return new OutputStream() {
            private long length;
            private boolean closed;

            @Override
            public void write(int b) {
                length++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                length += len;
            }

            @Override
            public void close() {
                if (closed) return;
                closed = true;
                sendHeaders(length);
            }
        };
    }

    private void sendHeaders(long length) {
        if (!delegate.headers().contains(HeaderNames.CONTENT_LENGTH)) delegate.contentLength(length);
        delegate.send();
    }

    @Override
    public ServerResponse status(Status status) {
        delegate.status(status);
        return this;
    }

    @Override
    public Status status() {
        return delegate.status();
    }

    @Override
    public ServerResponse header(Header header) {
        delegate.header(header);
        return this;
    }

    @Override
    public boolean isSent() {
        return delegate.isSent();
    }

    @Override
    public long bytesWritten() {
        return delegate.bytesWritten();
    }

    @Override
    public ServerResponse beforeSend(Runnable listener) {
        delegate.beforeSend(listener);
        return this;
    }

    @Override
    public ServerResponse whenSent(Runnable listener) {
        delegate.whenSent(listener);
        return this;
    }

    @Override
    public ServerResponse reroute(String path) {
        delegate.reroute(path);
        return this;
    }

    @Override
    public ServerResponse reroute(String path, UriQuery query) {
        delegate.reroute(path, query);
        return this;
    }

    @Override
    public ServerResponse next() {
        delegate.next();
        return this;
    }

    @Override
    public ServerResponseHeaders headers() {
        return delegate.headers();
    }

    @Override
    public ServerResponseTrailers trailers() {
        return delegate.trailers();
    }

    @Override
    public ServerResponse beforeTrailers(Consumer<ServerResponseTrailers> listener) {
        delegate.beforeTrailers(listener);
        return this;
    }

    @Override
    public void streamResult(String result) {
        delegate.streamResult(result);
    }

    @Override
    public <T extends Sink<?>> T sink(GenericType<T> type) {
        throw new IllegalStateException("a HEAD answer has no body to stream events into");
    }

    @Override
    public void streamFilter(UnaryOperator<OutputStream> filter) {
        delegate.streamFilter(filter);
    }
}
