package dev.atelier.store;

import static dev.atelier.store.Fixtures.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.store.testing.PrivatePostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store on a PostgreSQL server of its own that the tests restart and stop under it, and log in
 * to with a password (SCRAM), which the shared test server does not ask for.
 *
 * <p>Skipped, with a message, where PostgreSQL's binaries are not installed.
 */
class PostgresRestartTest {
  private static final PoolSettings POOL =
      PoolSettings.DEFAULTS.withSize(4).withConnectionTimeout(Duration.ofSeconds(2));

  private static PrivatePostgres server;

  @BeforeAll
  static void startServer() throws Exception {
    Optional<Path> bin = PrivatePostgres.binaries();
    if (bin.isEmpty()) {
      System.err.println(
          "SKIPPING PostgresRestartTest: no PostgreSQL binaries (initdb, pg_ctl) under"
              + " /usr/lib/postgresql or $ATELIER_TEST_PG_BIN");
      return;
    }
    server = PrivatePostgres.start(bin.get());
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static MetadataStore open() {
    Assumptions.assumeTrue(server != null, "no PostgreSQL binaries to start a private server");
    return Stores.open(Path.of("unused"), server.url(PrivatePostgres.PASSWORD), POOL);
  }

  @Test
  void aRestartCostsFailedCallsAtMostAndLosesNoAcknowledgedWrite() throws Exception {
    try (MetadataStore store = open()) {
      store.insertImage(image("img_before"));
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicInteger attempts = new AtomicInteger();
      AtomicInteger failures = new AtomicInteger();
      AtomicBoolean running = new AtomicBoolean(true);
      Thread writer =
          Thread.ofPlatform()
              .name("restart-test-writer")
              .start(
                  () -> {
                    while (running.get()) {
                      String id = "img_w" + attempts.incrementAndGet();
                      try {
                        store.insertImage(image(id));
                        acknowledged.add(id);
                      } catch (AtelierException.StorageFailure e) {
                        failures.incrementAndGet();
                      }
                    }
                  });
      try {
        awaitCondition("writes before the restart", () -> acknowledged.size() >= 20);
        server.restart();
        int afterRestart = acknowledged.size();
        awaitCondition(
            "the store answers after the restart",
            () -> {
              try {
                return store.image("img_before").isPresent();
              } catch (AtelierException.StorageFailure e) {
                return false;
              }
            });
        awaitCondition("writes after the restart", () -> acknowledged.size() >= afterRestart + 20);
      } finally {
        running.set(false);
        writer.join(Duration.ofSeconds(30));
      }
      assertThat(writer.isAlive()).as("the writer thread is stuck").isFalse();
      // Every write that returned is there; one that failed is there or not, never half.
      for (String id : acknowledged) {
        assertThat(store.image(id)).as(id).contains(image(id));
      }
      assertThat(store.image("img_before")).contains(image("img_before"));
    }
  }

  @Test
  void aStoppedServerFailsCallsWithinTheConnectionTimeoutAndIsUsedAgainOnceBack() throws Exception {
    try (MetadataStore store = open()) {
      store.insertImage(image("img_kept"));
      server.stop();
      try {
        long start = System.nanoTime();
        assertThatThrownBy(() -> store.image("img_kept"))
            .isInstanceOf(AtelierException.StorageFailure.class);
        assertThatThrownBy(() -> store.insertImage(image("img_lost")))
            .isInstanceOf(AtelierException.StorageFailure.class);
        // Two calls, each bounded by the 2 s connection timeout: failed, not stuck.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      } finally {
        server.startAgain();
      }
      awaitCondition(
          "the store answers once the server is back",
          () -> {
            try {
              return store.image("img_kept").isPresent();
            } catch (AtelierException.StorageFailure e) {
              return false;
            }
          });
      assertThat(store.image("img_lost")).isEmpty();
      store.insertImage(image("img_after"));
      assertThat(store.image("img_after")).isPresent();
    }
  }

  @Test
  void aWrongPasswordIsNamedAsSuchButNeverShown() {
    Assumptions.assumeTrue(server != null, "no PostgreSQL binaries to start a private server");
    String wrong = "not-the-Passw0rd";

    assertThatThrownBy(() -> Stores.open(Path.of("unused"), server.url(wrong), POOL))
        .isInstanceOf(AtelierException.StorageFailure.class)
        .hasMessageContaining("password authentication failed for user \"postgres\"")
        .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(wrong));
  }

  @Test
  void aPercentEncodedPasswordLogsIn() {
    try (MetadataStore store = open()) {
      store.ping();
      assertThat(store.kind()).isEqualTo("postgresql");
    }
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  /** Polls {@code condition} until it holds; fails after 60 s. */
  private static void awaitCondition(String what, Check condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within 60 s: " + what);
      }
      // Polling: nothing signals "the server is back".
      Thread.sleep(20);
    }
  }

  @FunctionalInterface
  private interface Check {
    boolean holds() throws Exception;
  }
}
