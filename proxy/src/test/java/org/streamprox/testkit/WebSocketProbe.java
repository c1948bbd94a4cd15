package org.streamprox.testkit;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client for tests (the JDK's): collects whole messages, text or binary, in arrival order, and
 * remembers how the session ended.
 */
public final class WebSocketProbe implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final HttpClient client;
    private final Collector collector = new Collector();
    private final WebSocket socket;

    private WebSocketProbe(URI uri) throws Exception {
        client = HttpClient.newHttpClient();
        try {
            socket = client.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(uri, collector)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            client.close();
            throw e;
        }
    }

    public static WebSocketProbe connect(String uri) throws Exception {
        return new WebSocketProbe(URI.create(uri));
    }

    public void sendText(String message) throws Exception {
        socket.sendText(message, true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void sendBinary(byte[] message) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(message), true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next whole text message; fails if none arrives in time or the next is binary. */
    public String nextText() throws InterruptedException {
        return (String) next();
    }

    public byte[] nextBinary() throws InterruptedException {
        return (byte[]) next();
    }

    /** Neither side has closed the session. */
    public boolean isOpen() {
        return !collector.closed.isDone() && !socket.isOutputClosed();
    }

    /** Completes with the close status the server sent, or exceptionally on an error. */
    public CompletableFuture<Integer> closed() {
        return collector.closed;
    }

    /** Closes the session the polite way and waits for the server's close, then shuts the client down. */
    @Override
    public void close() throws Exception {
        try {
            if (!socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            collector.closed.exceptionally(failure -> -1).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            socket.abort();
            client.close();
        }
    }

    private Object next() throws InterruptedException {
        Object message = collector.messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("no WebSocket message within " + WAIT.toSeconds() + " s");
        }
        return message;
    }

    /** Reassembles messages that arrive in parts and asks for more after each part. */
    private static final class Collector implements WebSocket.Listener {

        final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] part = new byte[data.remaining()];
            data.get(part);
            binary.writeBytes(part);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
