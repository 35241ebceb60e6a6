package dev.atelier.store;

import static dev.atelier.store.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.store.RateCounters.Counter;
import dev.atelier.store.RateCounters.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RateCounters} must do, and the per-key limit of unfinished jobs; {@link
 * MetadataStoreContract} runs it on each database. Several stores on one database stand in for
 * several processes.
 */
abstract class RateCountersContract extends MigrationContract {
  private static final Instant NOON = Instant.parse("2026-03-01T12:00:30Z");

  private static final Duration DAY = Duration.ofDays(1);

  private static Job job(String id, String keyId) {
    return Job.queued(id, "owner-" + keyId, keyId, "image_generation", "{}", Set.of(), 1, T0);
  }

  private static Counter minute(String key, Instant at) {
    return Counter.at(key, Window.MINUTE, at);
  }

  @Test
  void windowsStartOnTheirBoundaryInUtc() {
    assertThat(Window.MINUTE.start(NOON))
        .isEqualTo(Instant.parse("2026-03-01T12:00:00Z").getEpochSecond());
    assertThat(Window.DAY.start(NOON))
        .isEqualTo(Instant.parse("2026-03-01T00:00:00Z").getEpochSecond());
    assertThat(Counter.at("k", Window.DAY, NOON).end()).isEqualTo("2026-03-02T00:00:00Z");
    assertThatThrownBy(() -> new Counter("k", Window.MINUTE, 61))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a minute window must start on its boundary but started at 61");
    assertThatThrownBy(() -> store().take(minute("k", NOON), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be at least 1 but was 0");
  }

  @Test
  void takeCountsUpToTheLimitAndARefusedTakeCountsNothing() {
    Counter c = minute("key_1", NOON);

    List<OptionalInt> taken = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      taken.add(store().take(c, 3));
    }

    assertThat(taken)
        .containsExactly(
            OptionalInt.of(1),
            OptionalInt.of(2),
            OptionalInt.of(3),
            OptionalInt.empty(),
            OptionalInt.empty());
    assertThat(store().count(c)).isEqualTo(3);
    // A raised limit admits again; a lowered one refuses at once.
    assertThat(store().take(c, 4)).hasValue(4);
    assertThat(store().take(c, 2)).isEmpty();
    assertThat(store().count(c)).isEqualTo(4);
  }

  @Test
  void keysKindsAndWindowsCountApart() {
    store().take(minute("key_1", NOON), 10);
    store().take(minute("key_1", NOON), 10);

    assertThat(store().take(minute("key_2", NOON), 10)).hasValue(1);
    assertThat(store().take(Counter.at("key_1", Window.DAY, NOON), 10)).hasValue(1);
    assertThat(store().take(minute("key_1", NOON.plusSeconds(30)), 10)).hasValue(1);
    assertThat(store().count(minute("key_1", NOON))).isEqualTo(2);
    assertThat(store().count(minute("key_3", NOON))).isZero();
  }

  @Test
  void addCorrectsACountButNeverBelowZeroAndIgnoresAMissingCounter() {
    Counter day = Counter.at("key_1", Window.DAY, NOON);
    store().take(day, 10);

    store().add(day, 3);
    assertThat(store().count(day)).isEqualTo(4);
    store().add(day, -10);
    assertThat(store().count(day)).isZero();
    store().add(Counter.at("key_2", Window.DAY, NOON), 5);
    assertThat(store().count(Counter.at("key_2", Window.DAY, NOON))).isZero();
  }

  @Test
  void purgeDeletesOnlyTheCountersOfEndedWindows() throws Exception {
    store().take(minute("key_1", NOON.minusSeconds(60)), 10); // 11:59:00..12:00:00, ended
    store().take(minute("key_1", NOON), 10); // 12:00:00..12:01:00, current
    store().take(Counter.at("key_1", Window.DAY, NOON.minus(Duration.ofDays(1))), 10); // ended
    store().take(Counter.at("key_1", Window.DAY, NOON), 10); // today

    assertThat(store().purge(NOON)).isEqualTo(2);

    assertThat(count("SELECT COUNT(*) FROM rate_counters")).isEqualTo(2);
    assertThat(store().count(minute("key_1", NOON))).isEqualTo(1);
    assertThat(store().count(Counter.at("key_1", Window.DAY, NOON))).isEqualTo(1);
    // At the end of the current minute its counter goes too.
    assertThat(store().purge(Instant.parse("2026-03-01T12:01:00Z"))).isEqualTo(1);
  }

  @Test
  void takesFromSeveralStoresAtOnceNeverPassTheLimit() throws Exception {
    int stores = 2;
    int threads = 8;
    int each = 25;
    int limit = 37;
    List<MetadataStore> open = new ArrayList<>();
    for (int i = 0; i < stores; i++) {
      open.add(reopen());
    }
    Counter c = minute("key_hot", NOON);
    CyclicBarrier together = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> admitted = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        MetadataStore s = open.get(t % stores);
        admitted.add(
            pool.submit(
                () -> {
                  together.await();
                  int ok = 0;
                  for (int i = 0; i < each; i++) {
                    ok += s.take(c, limit).isPresent() ? 1 : 0;
                  }
                  return ok;
                }));
      }
      int total = 0;
      for (Future<Integer> f : admitted) {
        total += f.get();
      }
      assertThat(total).isEqualTo(limit);
      assertThat(store().count(c)).isEqualTo(limit);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aKeysLimitOfUnfinishedJobsHoldsAcrossStoresQueueingAtOnce() throws Exception {
    int threads = 6;
    List<MetadataStore> open = List.of(reopen(), reopen());
    CyclicBarrier together = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<JobStore.Enqueued>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        MetadataStore s = open.get(t % 2);
        Job j = job("job_" + t, "key_a");
        results.add(
            pool.submit(
                () -> {
                  together.await();
                  return s.enqueue(j, 100, 2, Optional.empty(), DAY);
                }));
      }
      List<String> accepted = new ArrayList<>();
      for (Future<JobStore.Enqueued> f : results) {
        JobStore.Enqueued e = f.get();
        if (e instanceof JobStore.Accepted a) {
          accepted.add(a.job().id());
        } else {
          assertThat(e).isEqualTo(new JobStore.KeyBusy(2));
        }
      }
      assertThat(accepted).hasSize(2);
      assertThat(store().unfinished("key_a")).isEqualTo(2);
      // Another key is not held back, and a job that ended frees its place.
      assertThat(store().enqueue(job("job_b", "key_b"), 100, 2, Optional.empty(), DAY))
          .isInstanceOf(JobStore.Accepted.class);
      assertThat(store().enqueue(job("job_y", "key_a"), 100, 2, Optional.empty(), DAY))
          .isEqualTo(new JobStore.KeyBusy(2));
      store().cancel(accepted.getFirst(), T0);
      assertThat(store().enqueue(job("job_z", "key_a"), 100, 2, Optional.empty(), DAY))
          .isInstanceOf(JobStore.Accepted.class);
    } finally {
      pool.shutdownNow();
    }
  }
}
