package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.StreamingApiTest.Event;
import dev.atelier.server.jobs.JobRunner;
import dev.atelier.store.testing.TestPostgres;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * An API node ({@link Role#API}, no workers) and a worker ({@link Role#WORKER}) over one real
 * PostgreSQL schema: streams through the API node of jobs the worker runs get the partial images
 * and completed events a single process sends, progress messages are coalesced, and a dropped
 * listening connection is survived (docs/adr/0028-partial-images-through-the-database.md).
 */
class ClusterStreamingTest {
  @TempDir Path dir;
  @TempDir Path alone;
  private TestPostgres pg;
  private ServerFixture api;
  private ServerFixture worker;
  private ServerFixture single;

  private static final String STREAMED =
      "{\"prompt\":\"a lighthouse at dusk\",\"n\":2,\"size\":\"64x48\",\"seed\":5,\"steps\":10,"
          + "\"stream\":true,\"partial_images\":2}";

  @BeforeEach
  void start() {
    pg = TestPostgres.schema();
    api = node(Role.API, 0);
    worker = node(Role.WORKER, 1);
  }

  /**
   * A node of {@code role} running {@code workers} jobs at once over this test's schema and blob
   * folder (one for every node, as nodes share an object store), with short leases: heartbeats
   * (which look at followed jobs' rows) every third of a second.
   */
  private ServerFixture node(Role role, int workers) {
    JobRunner.Settings jobs = JobRunner.Settings.DEFAULT.withLease(Duration.ofSeconds(1));
    ServerConfig base = new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false);
    return ServerFixture.withCallersOn(
        dir, pg.url(), base.withRole(role).withJobs(jobs.withWorkers(workers)), Map.of());
  }

  @AfterEach
  void stop() throws Exception {
    for (ServerFixture f : new ServerFixture[] {api, worker, single}) {
      if (f != null) {
        CountDownLatch g = f.engine.stepGate;
        if (g != null) {
          g.countDown();
        }
        f.close();
      }
    }
    if (pg != null) {
      pg.close();
    }
  }

  private static HttpResponse<String> post(ServerFixture node, String path, String json)
      throws Exception {
    return node.http.send(
        HttpRequest.newBuilder(URI.create(node.base() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String postAsync(ServerFixture node, String json) throws Exception {
    HttpResponse<String> r =
        node.http.send(
            HttpRequest.newBuilder(URI.create(node.base() + "/v1/images/generations"))
                .header("Content-Type", "application/json")
                .header("Prefer", "respond-async")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return Json.parse(r.body()).asObject().string("id", "");
  }

  private static CompletableFuture<HttpResponse<String>> follow(ServerFixture node, String id) {
    return node.http.sendAsync(
        HttpRequest.newBuilder(URI.create(node.base() + "/v1/jobs/" + id + "/events"))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code event:} names of an event-stream body, in order. */
  private static List<String> names(String body) {
    List<String> out = new ArrayList<>();
    for (String line : body.split("\n")) {
      if (line.startsWith("event: ")) {
        out.add(line.substring(7));
      }
    }
    return out;
  }

  @Test
  void syncStreamThroughTheApiNodeSendsWhatOneProcessSends() throws Exception {
    HttpResponse<String> viaApi = post(api, "/v1/images/generations", STREAMED);
    assertThat(viaApi.statusCode()).as(viaApi.body()).isEqualTo(200);
    assertThat(viaApi.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/event-stream");
    single = new ServerFixture(alone);
    HttpResponse<String> oneProcess = post(single, "/v1/images/generations", STREAMED);
    List<Event> got = StreamingApiTest.events(viaApi.body());
    List<Event> want = StreamingApiTest.events(oneProcess.body());

    assertThat(got)
        .extracting(Event::name)
        .containsExactly(
            "image_generation.partial_image",
            "image_generation.partial_image",
            "image_generation.completed",
            "image_generation.completed")
        .isEqualTo(want.stream().map(Event::name).toList());
    assertThat(worker.engine.calls.get()).isEqualTo(1);
    assertThat(api.engine.calls.get()).isZero();
    for (int i = 0; i < got.size(); i++) {
      JsonValue.Obj g = got.get(i).data();
      JsonValue.Obj w = want.get(i).data();
      assertThat(g.members().keySet()).as("event %d", i).isEqualTo(w.members().keySet());
      for (String k : w.members().keySet()) {
        if (Set.of("created_at", "id", "url", "b64_json").contains(k)) {
          continue; // differ between any two runs
        }
        assertThat(g.get(k)).as("event %d member %s", i, k).isEqualTo(w.get(k));
      }
    }
    // The previews are the same pixels as one process's.
    assertThat(StreamingApiTest.decode(got.get(0).image()).rgbAt(10, 10))
        .isEqualTo(StreamingApiTest.decode(want.get(0).image()).rgbAt(10, 10));
    // A completed event's image is the stored image behind its URL.
    JsonValue.Obj done = got.get(2).data();
    assertThat(done.string("url", "")).startsWith(api.base() + "/v1/images/");
    assertThat(got.get(2).image()).isEqualTo(api.bytes(done.string("url", "")));
  }

  @Test
  void asyncJobFollowedThroughTheApiNodeSeesPartialImages() throws Exception {
    worker.engine.stepGateAt = 1;
    worker.engine.stepGate = new CountDownLatch(1);
    String id =
        postAsync(
            api,
            "{\"prompt\":\"a fox\",\"size\":\"64x64\",\"steps\":10,\"partial_images\":2,"
                + "\"response_format\":\"url\"}");
    CompletableFuture<HttpResponse<String>> events = follow(api, id);
    worker.engine.stepGate.countDown();
    HttpResponse<String> r = events.get(30, TimeUnit.SECONDS);
    List<String> names = names(r.body());
    assertThat(names).contains("progress").endsWith("completed");
    assertThat(names.stream().filter("partial_image"::equals).count()).isEqualTo(2);
    List<Event> partials =
        StreamingApiTest.events(r.body()).stream()
            .filter(e -> e.name().equals("partial_image"))
            .toList();
    assertThat(partials)
        .extracting(e -> e.data().integer("partial_image_index", -1))
        .containsExactly(0L, 1L);
    assertThat(partials.getFirst().type()).isEqualTo("image_generation.partial_image");
  }

  @Test
  void aNodeThatStartsFollowingLateCatchesUpWithThePartialImagesAlreadyMade() throws Exception {
    // Both previews of a 10-step run (after steps 3 and 7) are made before the gate at step 8.
    worker.engine.stepGateAt = 8;
    worker.engine.stepGate = new CountDownLatch(1);
    String id =
        postAsync(
            api,
            "{\"prompt\":\"a fox\",\"size\":\"64x64\",\"steps\":10,\"partial_images\":2,"
                + "\"response_format\":\"url\"}");
    await(() -> worker.metadata.partialImages(id).size() == 2, "both previews are stored");
    // A second API node that never saw this job (a client reconnecting elsewhere).
    ServerFixture late = node(Role.API, 0);
    try (late) {
      CompletableFuture<HttpResponse<String>> events = follow(late, id);
      // The caught-up events reach the stream before the job goes on.
      await(() -> late.server.jobs().events(id).isPresent(), "the late node follows the job");
      await(
          () ->
              late.server.jobs().events(id).orElseThrow().after(0, 0).stream()
                      .filter(e -> e.type().equals("partial_image"))
                      .count()
                  == 2,
          "the late node caught up");
      worker.engine.stepGate.countDown();
      HttpResponse<String> r = events.get(30, TimeUnit.SECONDS);
      List<Event> partials =
          StreamingApiTest.events(r.body()).stream()
              .filter(e -> e.name().equals("partial_image"))
              .toList();
      assertThat(partials)
          .as("each preview once, in order")
          .extracting(e -> e.data().integer("partial_image_index", -1))
          .containsExactly(0L, 1L);
      assertThat(names(r.body())).last().isEqualTo("completed");
    }
  }

  @Test
  void progressMessagesAreCoalescedPerJob() throws Exception {
    try (Connection listen = DriverManager.getConnection(pg.url());
        Statement s = listen.createStatement()) {
      // The channel as PgNotifications names it: with the schema, or its hash when over 63 bytes.
      String channel = "atelier_job_events:" + schema();
      if (channel.length() > 63) {
        channel = "atelier_job_events:" + Integer.toHexString(schema().hashCode());
      }
      s.execute("LISTEN \"" + channel + "\"");
      worker.engine.stepMillis = 2;
      HttpResponse<String> r =
          post(
              api,
              "/v1/images/generations",
              "{\"prompt\":\"a fox\",\"size\":\"64x64\",\"steps\":300}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      List<JsonValue.Obj> progress = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      boolean ended = false;
      while (!ended && System.nanoTime() < deadline) {
        PGNotification[] got = listen.unwrap(PGConnection.class).getNotifications(200);
        for (PGNotification n : got == null ? new PGNotification[0] : got) {
          JsonValue.Obj m = Json.parse(n.getParameter()).asObject();
          if (m.string("type", "").equals("progress")) {
            progress.add(m.object("data").orElseThrow());
          } else if (m.string("type", "").equals("completed")) {
            ended = true;
          }
        }
      }
      assertThat(ended).as("the end was announced; progress seen: %s", progress).isTrue();
      // 300 steps of 2 ms or more: at most one message per 100 ms, plus the forced ones.
      assertThat(progress.size()).isBetween(2, 300 * 2 / 100 + 5);
      // The step run's last step always goes out, last.
      assertThat(progress.getLast().integer("step", 0)).isEqualTo(300);
    }
  }

  @Test
  void aDroppedListeningConnectionIsSurvived() throws Exception {
    worker.engine.stepGateAt = 1;
    worker.engine.stepGate = new CountDownLatch(1);
    String id = postAsync(api, "{\"prompt\":\"a fox\",\"size\":\"64x64\",\"steps\":4}");
    CompletableFuture<HttpResponse<String>> events = follow(api, id);
    await(() -> worker.server.jobs().runningHere() == 1, "the worker runs the job");
    await(() -> listeners() == 2, "both processes listen");
    assertThat(terminateListeners()).isEqualTo(2);
    // The job ends while the listeners may be reconnecting: its end must still reach the stream.
    worker.engine.stepGate.countDown();
    HttpResponse<String> r = events.get(30, TimeUnit.SECONDS);
    assertThat(names(r.body())).last().isEqualTo("completed");
    await(() -> listeners() == 2, "both processes listen again");

    // A job queued afterwards is claimed, run and streamed with its partial images.
    HttpResponse<String> after = post(api, "/v1/images/generations", STREAMED);
    assertThat(StreamingApiTest.events(after.body()))
        .extracting(Event::name)
        .containsExactly(
            "image_generation.partial_image",
            "image_generation.partial_image",
            "image_generation.completed",
            "image_generation.completed");
  }

  @Test
  void aFollowedJobWhoseEndWasNeverAnnouncedIsFinishedFromItsRow() throws Exception {
    worker.engine.stepGateAt = 1;
    worker.engine.stepGate = new CountDownLatch(1);
    String id = postAsync(api, "{\"prompt\":\"a fox\",\"size\":\"64x64\",\"steps\":4}");
    await(() -> worker.server.jobs().runningHere() == 1, "the worker runs the job");
    // Ended behind every process's back: no notification says so.
    try (Connection c = DriverManager.getConnection(pg.url());
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "UPDATE jobs SET status = 'cancelled', completed_at = '2026-01-01T00:00:00.000000000Z',"
              + " lease_owner = '', lease_expires_at = '' WHERE id = '"
              + id
              + "'");
    }
    await(
        () -> api.server.jobs().events(id).map(e -> e.ended()).orElse(false),
        "the API node finished the job's events from its row");
    HttpResponse<String> r = follow(api, id).get(10, TimeUnit.SECONDS);
    assertThat(names(r.body())).last().isEqualTo("cancelled");
  }

  private String schema() {
    String url = pg.url();
    return url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
  }

  private int listeners() throws Exception {
    try (Connection c = DriverManager.getConnection(TestPostgres.URL);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'atelier-listen "
                    + schema()
                    + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private int terminateListeners() throws Exception {
    try (Connection c = DriverManager.getConnection(TestPostgres.URL);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name ="
                    + " 'atelier-listen "
                    + schema()
                    + "'")) {
      Set<Boolean> seen = new TreeSet<>();
      int n = 0;
      while (rs.next()) {
        seen.add(rs.getBoolean(1));
        n++;
      }
      assertThat(seen).containsOnly(true);
      return n;
    }
  }

  @FunctionalInterface
  interface Check {
    boolean holds() throws Exception;
  }

  private static void await(Check condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
  }
}
