package dev.atelier.engine.openai.internal;

import dev.atelier.core.CancellationToken;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body handed over chunk by chunk, so that the reading thread can give up at a deadline
 * or on cancellation instead of blocking in a read that never returns.
 *
 * <p>The HTTP client's thread pushes chunks; the engine's thread takes them with {@link #next}.
 * Chunks are requested one at a time, so a slow reader holds back the connection rather than
 * buffering the whole answer.
 */
final class BodyQueue implements HttpResponse.BodySubscriber<BodyQueue> {
  private static final long POLL_MILLIS = 100;
  private static final byte[] END = new byte[0];

  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private volatile Flow.Subscription subscription;
  private boolean ended;

  @Override
  public CompletionStage<BodyQueue> getBody() {
    return CompletableFuture.completedFuture(this);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    int size = 0;
    for (ByteBuffer b : buffers) {
      size += b.remaining();
    }
    byte[] chunk = new byte[size];
    int at = 0;
    for (ByteBuffer b : buffers) {
      int n = b.remaining();
      b.get(chunk, at, n);
      at += n;
    }
    queue.add(chunk.length == 0 ? new byte[0] : chunk);
  }

  @Override
  public void onError(Throwable t) {
    queue.add(t);
  }

  @Override
  public void onComplete() {
    queue.add(END);
  }

  /**
   * The next chunk, or an empty array at the end of the body.
   *
   * @param deadlineNanos the {@link System#nanoTime()} after which to give up
   * @throws BodyTimeout when the deadline passes first
   * @throws IOException when the connection failed
   * @throws dev.atelier.core.AtelierException.Cancelled when the token is cancelled while waiting
   */
  byte[] next(long deadlineNanos, CancellationToken cancel) throws IOException, BodyTimeout {
    if (ended) {
      return END;
    }
    while (true) {
      cancel.throwIfCancelled("while reading the upstream's answer");
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        throw new BodyTimeout();
      }
      Object item;
      try {
        item =
            queue.poll(
                Math.min(left, TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS)), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while reading the upstream's answer", e);
      }
      if (item == null) {
        continue;
      }
      if (item instanceof Throwable t) {
        ended = true;
        throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
      }
      byte[] chunk = (byte[]) item;
      if (chunk == END) {
        ended = true;
        return END;
      }
      subscription.request(1);
      if (chunk.length > 0) {
        return chunk;
      }
    }
  }

  /** Stops the transfer; the connection is not reused. */
  void cancel() {
    Flow.Subscription s = subscription;
    if (s != null && !ended) {
      s.cancel();
    }
    ended = true;
  }

  /** The deadline passed while waiting for the body. */
  static final class BodyTimeout extends Exception {
    BodyTimeout() {
      super("deadline passed while reading the body", null, false, false);
    }
  }
}
