package dev.atelier.server;

import dev.atelier.store.Stores;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A server in its own JVM for the kill -9 test: prints {@code READY <port>} and serves until it is
 * killed.
 */
public final class CrashHarness {
  private CrashHarness() {}

  /** Starts the server on the data folder {@code args[0]}. */
  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    AtelierServer server =
        AtelierServer.start(
            new FakeEngine(),
            Stores.open(data, ""),
            Stores.blobs(data),
            new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false));
    System.out.println("READY " + server.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
