package dev.atelier.server.http;

import io.javalin.http.Context;
import java.nio.ByteBuffer;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that the client of a waiting request closed its connection, so its job can be cancelled.
 *
 * <p>While a handler waits, Jetty reads nothing from an HTTP/1.1 connection, so a client that hung
 * up goes unnoticed until the answer is written, minutes later for an image. Here the connection
 * asks to be told when it becomes readable (which a closed socket does at once) and reads: end of
 * stream means the client left. Since that reader stays registered after the answer, the answer
 * carries {@code Connection: close}, so no next request on the connection can meet it. A client
 * that pipelines a second request behind a waiting one would have it read here; none of the SDKs
 * pipeline.
 */
final class ClientGone {
  private static final Logger LOG = LoggerFactory.getLogger(ClientGone.class);

  private ClientGone() {}

  /** Runs {@code onGone} (once, on a Jetty thread) if {@code ctx}'s client closes first. */
  static void watch(Context ctx, Runnable onGone) {
    EndPoint endPoint;
    try {
      endPoint =
          ServletContextRequest.getServletContextRequest(ctx.req())
              .getConnectionMetaData()
              .getConnection()
              .getEndPoint();
    } catch (RuntimeException e) {
      LOG.debug("cannot watch the connection of {}: {}", ctx.path(), e.toString());
      return;
    }
    ctx.header("Connection", "close");
    boolean watching =
        endPoint.tryFillInterested(
            new Callback() {
              @Override
              public void succeeded() {
                try {
                  ByteBuffer buffer = ByteBuffer.allocate(64);
                  buffer.flip();
                  if (endPoint.fill(buffer) < 0) {
                    onGone.run();
                  }
                } catch (java.io.IOException | RuntimeException e) {
                  onGone.run();
                }
              }

              @Override
              public void failed(Throwable x) {
                // The connection closed or failed; after the answer this is the normal end.
                if (endPoint.isOpen()) {
                  return;
                }
                onGone.run();
              }
            });
    if (!watching) {
      LOG.debug("the connection of {} is already being read; not watched", ctx.path());
    }
  }
}
