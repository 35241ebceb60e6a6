package dev.atelier.store;

import static dev.atelier.store.Fixtures.T0;
import static dev.atelier.store.Fixtures.edit;
import static dev.atelier.store.Fixtures.image;
import static dev.atelier.store.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What every {@link JobStore} must do; {@link MetadataStoreContract} runs it on each database. */
abstract class JobStoreContract extends RateCountersContract {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration DAY = Duration.ofHours(24);

  static Job job(String id, String owner, Instant at) {
    return Job.queued(id, owner, "", "image_generation", "{\"p\":1}", Set.of(), 1, at);
  }

  private Job enqueued(String id, String owner, Instant at) {
    JobStore.Enqueued e = store().enqueue(job(id, owner, at), 100, Optional.empty(), DAY);
    assertThat(e).isInstanceOf(JobStore.Accepted.class);
    return ((JobStore.Accepted) e).job();
  }

  @Test
  void partialImagesAreKeptUntilSweptAfterTheirJobEnded() {
    enqueued("job_run", "o", T0);
    enqueued("job_done", "o", T0);
    assertThat(store().claim("w1", T0, LEASE)).isPresent();
    assertThat(store().claim("w1", T0, LEASE)).isPresent();
    store().savePartialImage("job_run", "w1", 3, "{\"i\":0}", T0);
    store().savePartialImage("job_done", "w1", 4, "{\"i\":0}", T0);
    store().savePartialImage("job_done", "w1", 4, "{\"i\":1}", T0); // stored again: replaced
    assertThat(store().partialImage("job_done", "w1", 4)).contains("{\"i\":1}");
    assertThat(store().partialImage("job_done", "w2", 4)).isEmpty();
    store().savePartialImage("job_run", "w2", 9, "{\"i\":1}", T0);
    store().savePartialImage("job_run", "w1", 1, "{\"i\":2}", T0);
    assertThat(store().partialImages("job_run"))
        .as("every kept one, by worker and number")
        .containsExactly(
            new JobStore.PartialImage("w1", 1, "{\"i\":2}"),
            new JobStore.PartialImage("w1", 3, "{\"i\":0}"),
            new JobStore.PartialImage("w2", 9, "{\"i\":1}"));
    assertThat(store().partialImages("job_none")).isEmpty();
    assertThat(store().cancelled("job_done", "w1", T0.plusSeconds(10))).isTrue();

    // Ended after the cut-off: kept; the running job's rows stay whatever their age.
    assertThat(store().sweepPartialImages(T0.plusSeconds(5), T0.minusSeconds(1))).isZero();
    assertThat(store().sweepPartialImages(T0.plusSeconds(11), T0.minusSeconds(1))).isEqualTo(1);
    assertThat(store().partialImage("job_done", "w1", 4)).isEmpty();
    assertThat(store().partialImage("job_run", "w1", 3)).contains("{\"i\":0}");
    // Stored before the other cut-off: swept even while the job runs.
    assertThat(store().sweepPartialImages(T0, T0.plusSeconds(1))).isEqualTo(3);
  }

  @Test
  void enqueuedJobReadsBackWithEveryField() {
    Job j =
        Job.queued(
            "job_1", "alice", "key_1", "image_edit", "{\"x\":[1]}", Set.of("aa", "bb"), 3, T0);
    store().enqueue(j, 10, Optional.empty(), DAY);

    assertThat(store().job("job_1")).contains(j);
    assertThat(store().counts()).isEqualTo(new JobStore.Counts(1, 0));
    assertThat(store().referencedBlobs()).contains("aa", "bb");
  }

  @Test
  void aWorkerClaimsOnlyTheJobsOfItsModelsAndJobsOfNoModel() {
    for (String[] j :
        new String[][] {{"job_a", "model-a"}, {"job_b", "model-b"}, {"job_any", ""}}) {
      store()
          .enqueue(
              Job.queued(j[0], "o", "", "image_generation", "{}", Set.of(), 1, T0, j[1]),
              10,
              Optional.empty(),
              DAY);
    }
    assertThat(store().job("job_a").orElseThrow().model()).isEqualTo("model-a");

    List<String> claimedByB = new ArrayList<>();
    Optional<Job> c;
    while ((c = store().claim("w-b", T0, LEASE, Set.of("model-b"))).isPresent()) {
      claimedByB.add(c.get().id());
    }

    assertThat(claimedByB).containsExactlyInAnyOrder("job_b", "job_any");
    assertThat(store().claim("w-all", T0, LEASE).map(Job::id)).contains("job_a");
  }

  @Test
  void workersReportThemselvesAndDeadOnesArePruned() {
    Worker w =
        new Worker(
            "host:1:abc",
            "host",
            1,
            "local",
            List.of(
                new Worker.Model("demo", "text-to-image"),
                new Worker.Model("x", "inpainting", "sdxl/1024/32/few-step")),
            "cpu",
            Worker.State.STARTING,
            "",
            T0,
            T0);
    store().reportWorker(w);
    store().reportWorker(w.beat(Worker.State.RUNNING, "job_1", T0.plusSeconds(10)));
    Worker old =
        new Worker(
            "host:2:def",
            "host",
            2,
            "openai",
            List.of(),
            "upstream",
            Worker.State.IDLE,
            "",
            T0.minusSeconds(7200),
            T0.minusSeconds(7200));
    store().reportWorker(old);

    assertThat(store().workers())
        .containsExactly(old, w.beat(Worker.State.RUNNING, "job_1", T0.plusSeconds(10)));
    assertThat(old.stale(T0, LEASE)).isTrue();
    assertThat(store().workers().get(1).stale(T0.plusSeconds(60), LEASE)).isFalse();

    assertThat(store().pruneWorkers(T0.minusSeconds(3600))).isEqualTo(1);
    store().removeWorker(w.id());
    assertThat(store().workers()).isEmpty();
  }

  @Test
  void notificationsReachAListenerOnTheirChannelOnly() throws Exception {
    java.util.concurrent.BlockingQueue<String> got =
        new java.util.concurrent.LinkedBlockingQueue<>();
    try (AutoCloseable l = store().notifications().listen("atelier_test", got::add)) {
      // PostgreSQL: the listening connection starts LISTENing in the background; send until one
      // arrives (a message sent before that is lost, as the interface allows).
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      String first = null;
      while (first == null && System.nanoTime() < deadline) {
        store().notifications().publish("atelier_other", "not for you");
        store().notifications().publish("atelier_test", "hello");
        first = got.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
      assertThat(first).isEqualTo("hello");
    }
    assertThatThrownBy(() -> store().notifications().publish("atelier_test", "x".repeat(8000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a notification payload must be at most 7900 bytes but was 8000");
  }

  @Test
  void fullQueueRefusesAndStoresNothing() {
    for (int i = 0; i < 3; i++) {
      store().enqueue(job("job_" + i, "a", T0.plusMillis(i)), 3, Optional.empty(), DAY);
    }
    JobStore.Enqueued e = store().enqueue(job("job_x", "a", T0), 3, Optional.empty(), DAY);

    assertThat(e).isEqualTo(new JobStore.QueueFull(3));
    assertThat(store().job("job_x")).isEmpty();
  }

  @Test
  void claimsRoundRobinBetweenOwnersAndInArrivalOrderWithinOne() {
    // alice queues four jobs before bob's one: bob's must not wait behind all of alice's.
    for (int i = 0; i < 4; i++) {
      enqueued("job_a" + i, "alice", T0.plusMillis(i));
    }
    enqueued("job_b0", "bob", T0.plusMillis(10));
    enqueued("job_c0", "carol", T0.plusMillis(11));

    List<String> order = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      order.add(store().claim("w", T0.plusSeconds(1 + i), LEASE).orElseThrow().id());
    }

    assertThat(order).containsExactly("job_a0", "job_b0", "job_c0", "job_a1", "job_a2", "job_a3");
    assertThat(store().claim("w", T0.plusSeconds(9), LEASE)).isEmpty();
  }

  @Test
  void claimSetsLeaseAndCountsTheAttempt() {
    enqueued("job_1", "a", T0);
    Job claimed = store().claim("worker-1", T0.plusSeconds(1), LEASE).orElseThrow();

    assertThat(claimed.status()).isEqualTo(JobStatus.IN_PROGRESS);
    assertThat(claimed.attempts()).isEqualTo(1);
    assertThat(claimed.leaseOwner()).isEqualTo("worker-1");
    assertThat(claimed.leaseExpiresAt()).contains(T0.plusSeconds(31));
    assertThat(claimed.startedAt()).contains(T0.plusSeconds(1));
    assertThat(store().counts()).isEqualTo(new JobStore.Counts(0, 1));
  }

  @Test
  void concurrentClaimsNeverHandOneJobToTwoWorkers() throws Exception {
    for (int i = 0; i < 40; i++) {
      enqueued("job_" + i, "o" + (i % 3), T0.plusMillis(i));
    }
    // Two stores: two connection pools, as two processes would have.
    MetadataStore other = reopen();
    List<String> claimed = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Void>> workers = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        JobStore s = w % 2 == 0 ? store() : other;
        String name = "w" + w;
        workers.add(
            () -> {
              for (Optional<Job> j = s.claim(name, T0.plusSeconds(1), LEASE);
                  j.isPresent();
                  j = s.claim(name, T0.plusSeconds(1), LEASE)) {
                claimed.add(j.get().id());
              }
              return null;
            });
      }
      for (Future<Void> f : pool.invokeAll(workers)) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }

    assertThat(claimed).hasSize(40).doesNotHaveDuplicates();
  }

  @Test
  void heartbeatRenewsOnlyTheHoldersLeaseAndCarriesProgressAndCancel() {
    enqueued("job_1", "a", T0);
    store().claim("w1", T0, LEASE);

    assertThat(store().heartbeat("job_1", "w2", T0.plusSeconds(60), "{}").held()).isFalse();
    JobStore.Beat beat = store().heartbeat("job_1", "w1", T0.plusSeconds(60), "{\"step\":3}");
    assertThat(beat).isEqualTo(new JobStore.Beat(true, false));
    Job j = store().job("job_1").orElseThrow();
    assertThat(j.leaseExpiresAt()).contains(T0.plusSeconds(60));
    assertThat(j.progress()).isEqualTo("{\"step\":3}");

    store().cancel("job_1", T0.plusSeconds(2));
    assertThat(store().heartbeat("job_1", "w1", T0.plusSeconds(61), "{}").cancelRequested())
        .isTrue();
    assertThat(store().job("job_1").orElseThrow().status()).isEqualTo(JobStatus.IN_PROGRESS);
  }

  @Test
  void completionCommitsTheJobsWritesWithIt() {
    enqueued("job_1", "a", T0);
    store().claim("w1", T0, LEASE);
    List<MetadataWrite> writes =
        List.of(
            new MetadataWrite.CreateSession(
                session("ses_1", "rnd_0", "img_0"), image("img_0", "ses_1", "")),
            new MetadataWrite.AddRound(
                image("img_1", "ses_1", "img_0"), edit("rnd_1", "ses_1", "rnd_0", "img_1", 1)),
            new MetadataWrite.InsertImage(image("img_9")),
            new MetadataWrite.MoveHead("ses_1", "rnd_0"));

    assertThat(store().complete("job_1", "w1", T0.plusSeconds(5), 200, "{\"ok\":1}", writes))
        .isTrue();

    Job j = store().job("job_1").orElseThrow();
    assertThat(j.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(j.result()).isEqualTo("{\"ok\":1}");
    assertThat(j.resultStatus()).isEqualTo(200);
    assertThat(j.completedAt()).contains(T0.plusSeconds(5));
    assertThat(j.leaseOwner()).isEmpty();
    assertThat(store().image("img_9")).isPresent();
    assertThat(store().session("ses_1").orElseThrow().headRoundId()).isEqualTo("rnd_0");
    assertThat(store().session("ses_1").orElseThrow().rounds()).hasSize(2);
  }

  @Test
  void completionByAWorkerThatLostTheLeaseWritesNothing() {
    enqueued("job_1", "a", T0);
    store().claim("w1", T0, LEASE);
    store().recoverExpired(T0.plus(LEASE).plusSeconds(1), 2, "{}"); // w1 presumed dead: queued
    store().claim("w2", T0.plus(LEASE).plusSeconds(2), LEASE);

    boolean done =
        store()
            .complete(
                "job_1",
                "w1",
                T0.plusSeconds(40),
                200,
                "{}",
                List.of(new MetadataWrite.InsertImage(image("img_1"))));

    assertThat(done).isFalse();
    assertThat(store().image("img_1")).isEmpty();
    assertThat(store().job("job_1").orElseThrow().leaseOwner()).isEqualTo("w2");
  }

  @Test
  void aFailingWriteRollsTheCompletionBack() {
    enqueued("job_1", "a", T0);
    store().claim("w1", T0, LEASE);
    // A round for a session that does not exist (deleted while the job ran).
    List<MetadataWrite> writes =
        List.of(
            new MetadataWrite.InsertImage(image("img_5")),
            new MetadataWrite.AddRound(
                image("img_1", "ses_gone", ""), edit("rnd_1", "ses_gone", "rnd_0", "img_1", 1)));

    assertThatThrownBy(() -> store().complete("job_1", "w1", T0, 200, "{}", writes))
        .isInstanceOf(AtelierException.class);

    assertThat(store().image("img_5")).isEmpty();
    assertThat(store().job("job_1").orElseThrow().status()).isEqualTo(JobStatus.IN_PROGRESS);
  }

  @Test
  void cancelEndsAQueuedJobAndMarksARunningOne() {
    enqueued("job_q", "a", T0);
    enqueued("job_r", "a", T0.plusMillis(1));
    store().claim("w", T0, LEASE); // job_q is older: claimed
    Job running = store().job("job_q").orElseThrow();
    assertThat(running.status()).isEqualTo(JobStatus.IN_PROGRESS);

    Job queued = store().cancel("job_r", T0.plusSeconds(1)).orElseThrow();
    assertThat(queued.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(queued.completedAt()).contains(T0.plusSeconds(1));

    Job marked = store().cancel("job_q", T0.plusSeconds(1)).orElseThrow();
    assertThat(marked.status()).isEqualTo(JobStatus.IN_PROGRESS);
    assertThat(marked.cancelRequested()).isTrue();
    assertThat(store().cancelled("job_q", "w", T0.plusSeconds(2))).isTrue();
    assertThat(store().job("job_q").orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);

    // An ended job stays as it is; an unknown one is empty.
    assertThat(store().cancel("job_q", T0.plusSeconds(3)).orElseThrow().status())
        .isEqualTo(JobStatus.CANCELLED);
    assertThat(store().cancel("job_none", T0)).isEmpty();
  }

  @Test
  void expiredLeasesAreRetriedOnceThenFailed() {
    enqueued("job_1", "a", T0);
    store().claim("w1", T0, LEASE);
    Instant later = T0.plus(LEASE).plusSeconds(1);

    assertThat(store().recoverExpired(T0.plusSeconds(10), 2, "{\"code\":\"interrupted\"}"))
        .isEmpty(); // lease still valid
    List<Job> first = store().recoverExpired(later, 2, "{\"code\":\"interrupted\"}");
    assertThat(first).singleElement().extracting(Job::status).isEqualTo(JobStatus.QUEUED);
    assertThat(first.getFirst().startedAt()).isEmpty();

    store().claim("w2", later, LEASE);
    Instant muchLater = later.plus(LEASE).plusSeconds(1);
    List<Job> second = store().recoverExpired(muchLater, 2, "{\"code\":\"interrupted\"}");
    Job failed = second.getFirst();
    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.attempts()).isEqualTo(2);
    assertThat(failed.error()).isEqualTo("{\"code\":\"interrupted\"}");
  }

  @Test
  void unfinishedCountsAKeysQueuedAndRunningJobs() {
    for (int i = 0; i < 3; i++) {
      store()
          .enqueue(
              Job.queued("job_" + i, "a", "key_1", "image_generation", "{}", Set.of(), 1, T0),
              10,
              Optional.empty(),
              DAY);
    }
    store().claim("w", T0, LEASE);
    store().cancel("job_2", T0);

    assertThat(store().unfinished("key_1")).isEqualTo(2);
    assertThat(store().unfinished("key_2")).isZero();
  }

  @Test
  void releaseRequeuesWithoutCountingTheAttempt() {
    enqueued("job_1", "a", T0);
    store().claim("w1", T0, LEASE);

    assertThat(store().release("job_1", "w2")).isFalse();
    assertThat(store().release("job_1", "w1")).isTrue();

    Job j = store().job("job_1").orElseThrow();
    assertThat(j.status()).isEqualTo(JobStatus.QUEUED);
    assertThat(j.attempts()).isZero();
    assertThat(j.leaseOwner()).isEmpty();
    assertThat(j.startedAt()).as("a queued job has not started").isEmpty();
  }

  @Test
  void idempotencyKeyReplaysTheSameRequestAndRefusesAnother() {
    Idempotency.Key key = new Idempotency.Key("alice", "k1", "hash-a", T0);
    JobStore.Enqueued first = store().enqueue(job("job_1", "alice", T0), 10, Optional.of(key), DAY);
    assertThat(first).isInstanceOf(JobStore.Accepted.class);

    JobStore.Enqueued again =
        store().enqueue(job("job_2", "alice", T0.plusSeconds(5)), 10, Optional.of(key), DAY);
    assertThat(again).isInstanceOf(JobStore.Known.class);
    Idempotency.Check check = ((JobStore.Known) again).check();
    assertThat(check).isInstanceOf(Idempotency.Replay.class);
    assertThat(((Idempotency.Replay) check).entry().jobId()).isEqualTo("job_1");
    assertThat(store().job("job_2")).isEmpty();

    Idempotency.Key other = new Idempotency.Key("alice", "k1", "hash-b", T0.plusSeconds(6));
    assertThat(
            ((JobStore.Known)
                    store().enqueue(job("job_3", "alice", T0), 10, Optional.of(other), DAY))
                .check())
        .isInstanceOf(Idempotency.Conflict.class);

    // Keys are per owner, and forgotten after the ttl.
    Idempotency.Key bobs = new Idempotency.Key("bob", "k1", "hash-b", T0);
    assertThat(store().enqueue(job("job_4", "bob", T0), 10, Optional.of(bobs), DAY))
        .isInstanceOf(JobStore.Accepted.class);
    Idempotency.Key tomorrow =
        new Idempotency.Key("alice", "k1", "hash-b", T0.plus(DAY).plusSeconds(1));
    assertThat(store().enqueue(job("job_5", "alice", T0), 10, Optional.of(tomorrow), DAY))
        .isInstanceOf(JobStore.Accepted.class);
  }

  @Test
  void idempotencyKeyOfARequestWithoutJobRecordsItsResponse() {
    Idempotency.Key key = new Idempotency.Key("", "k", "h", T0);
    assertThat(store().takeIdempotencyKey(key, DAY)).isInstanceOf(Idempotency.Fresh.class);
    Idempotency.Check running = store().takeIdempotencyKey(key, DAY);
    assertThat(((Idempotency.Replay) running).entry().inProgress()).isTrue();

    store().recordResponse("", "k", 200, "{\"a\":1}");
    Idempotency.Entry done = ((Idempotency.Replay) store().takeIdempotencyKey(key, DAY)).entry();
    assertThat(done.responseStatus()).isEqualTo(200);
    assertThat(done.response()).isEqualTo("{\"a\":1}");

    store().releaseIdempotencyKey("", "k");
    assertThat(store().takeIdempotencyKey(key, DAY)).isInstanceOf(Idempotency.Fresh.class);
  }

  @Test
  void listsOwnJobsNewestFirstFilteredByStatusAndPaged() {
    for (int i = 0; i < 5; i++) {
      enqueued("job_" + i, i % 2 == 0 ? "alice" : "bob", T0.plusSeconds(i));
    }
    store().cancel("job_4", T0.plusSeconds(9));

    Page<Job> alices =
        store().jobs(OwnerScope.only("alice"), Optional.empty(), 2, "").orElseThrow();
    assertThat(alices.items()).extracting(Job::id).containsExactly("job_4", "job_2");
    assertThat(alices.hasMore()).isTrue();
    Page<Job> rest =
        store().jobs(OwnerScope.only("alice"), Optional.empty(), 2, "job_2").orElseThrow();
    assertThat(rest.items()).extracting(Job::id).containsExactly("job_0");
    assertThat(
            store()
                .jobs(OwnerScope.only("alice"), Optional.of(JobStatus.QUEUED), 10, "")
                .orElseThrow()
                .items())
        .extracting(Job::id)
        .containsExactly("job_2", "job_0");
    // Another owner's job is no cursor.
    assertThat(store().jobs(OwnerScope.only("alice"), Optional.empty(), 2, "job_1")).isEmpty();
    assertThat(store().queuedAhead("job_2")).isEqualTo(2);
  }

  @Test
  void finishedJobsInputsAreNoLongerKeptFromTheSweep() {
    store()
        .enqueue(
            Job.queued("job_1", "a", "", "image_edit", "{}", Set.of("cafe"), 1, T0),
            10,
            Optional.empty(),
            DAY);
    assertThat(store().referencedBlobs()).contains("cafe");
    store().cancel("job_1", T0);
    assertThat(store().referencedBlobs()).doesNotContain("cafe");
  }
}
