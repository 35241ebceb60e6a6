package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.jobs.JobRunner;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/jobs/{id}/events}: numbered events, a reconnect with {@code Last-Event-ID} that
 * misses and repeats nothing, the terminal event carrying the job, and partial images for a queued
 * request that asked for them.
 */
class JobEventsApiTest {
  @TempDir Path dir;
  ServerFixture f;
  JobClient jobs;

  @BeforeEach
  void start() {
    f =
        ServerFixture.withTestCallers(
            dir,
            new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
                .withJobs(JobRunner.Settings.DEFAULT.withWorkers(1)));
    jobs = new JobClient(f);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** One server-sent event. */
  record Event(long id, String type, JsonValue.Obj data) {
    boolean last() {
      return List.of("completed", "failed", "cancelled").contains(type);
    }
  }

  /** Parses a whole event-stream body; comments (keep-alives) are skipped. */
  static List<Event> parse(String body) {
    List<Event> out = new ArrayList<>();
    List<String> block = new ArrayList<>();
    for (String line : (body + "\n\n").split("\n", -1)) {
      if (line.isEmpty()) {
        event(block).ifPresent(out::add);
        block.clear();
      } else {
        block.add(line);
      }
    }
    return out;
  }

  private static java.util.Optional<Event> event(List<String> lines) {
    long id = -1;
    String type = "";
    String data = null;
    for (String line : lines) {
      if (line.startsWith("id: ")) {
        id = Long.parseLong(line.substring(4));
      } else if (line.startsWith("event: ")) {
        type = line.substring(7);
      } else if (line.startsWith("data: ")) {
        data = line.substring(6);
      }
    }
    if (data == null) {
      return java.util.Optional.empty();
    }
    ServerFixture.assertStrictJson(data);
    return java.util.Optional.of(new Event(id, type, Json.parse(data).asObject()));
  }

  /**
   * A live event stream over a raw HTTP/1.0 connection (no chunked encoding: the body ends when the
   * server closes), so the test can read some events and hang up.
   */
  final class Live implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;

    Live(String owner, String jobId, Long lastEventId) throws Exception {
      socket = new Socket("127.0.0.1", f.server.port());
      socket.setSoTimeout((int) JobClient.DEADLINE.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /v1/jobs/"
                  + jobId
                  + "/events HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                  + ServerFixture.TEST_OWNER
                  + ": "
                  + owner
                  + "\r\n"
                  + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n")
                  + "\r\n")
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String status = in.readLine();
      assertThat(status).contains(" 200 ");
      String header;
      boolean eventStream = false;
      while ((header = in.readLine()) != null && !header.isEmpty()) {
        eventStream |=
            header.toLowerCase(java.util.Locale.ROOT).startsWith("content-type: text/event-stream");
      }
      assertThat(eventStream).as("an event stream").isTrue();
    }

    /** The next event; fails if the stream ends first. */
    Event next() throws Exception {
      List<String> block = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isEmpty()) {
          block.add(line);
          continue;
        }
        java.util.Optional<Event> e = event(block);
        block.clear();
        if (e.isPresent()) {
          return e.get();
        }
      }
      throw new AssertionError("the stream ended before the next event");
    }

    /** Whether the server ended the stream (nothing but comments left). */
    boolean ended() throws Exception {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isEmpty() && !line.startsWith(":")) {
          return false;
        }
      }
      return true;
    }

    @Override
    public void close() throws java.io.IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }
  }

  @Test
  void aReconnectWithLastEventIdMissesNothingAndRepeatsNothing() throws Exception {
    f.engine.stepMillis = 50;
    String id =
        jobs.queued(
                "alice",
                "/v1/images/generations",
                "{\"prompt\":\"a slow cup\",\"size\":\"64x64\",\"steps\":40,\"seed\":1}")
            .string("id", "");
    List<Event> seen = new ArrayList<>();
    try (Live first = new Live("alice", id, null)) {
      for (int i = 0; i < 3; i++) {
        seen.add(first.next());
      }
    }
    assertThat(seen).extracting(Event::id).containsExactly(1L, 2L, 3L);
    assertThat(seen).extracting(Event::type).containsOnly("progress");
    assertThat(jobs.job("alice", id).string("status", ""))
        .as("still running when the client came back")
        .isEqualTo("in_progress");

    long last = seen.getLast().id();
    try (Live again = new Live("alice", id, last)) {
      Event e;
      do {
        e = again.next();
        seen.add(e);
      } while (!e.last());
      assertThat(again.ended()).as("nothing after the terminal event").isTrue();
    }
    assertThat(seen.get(3).id()).isEqualTo(last + 1);
    assertThat(seen)
        .extracting(Event::id)
        .containsExactlyElementsOf(
            IntStream.rangeClosed(1, seen.size()).mapToObj(i -> (long) i).toList());
    // One progress event per step, each once, then the end.
    assertThat(seen.subList(0, seen.size() - 1)).extracting(Event::type).containsOnly("progress");
    assertThat(seen.subList(0, seen.size() - 1))
        .extracting(e -> (int) e.data().number("step", -1))
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 40).boxed().toList());
    assertThat(seen.getFirst().data().members().keySet())
        .containsExactly("step", "steps", "images_done", "n");
    Event end = seen.getLast();
    assertThat(end.data().object("progress").orElseThrow().number("images_done", -1)).isEqualTo(1);
    assertThat(end.type()).isEqualTo("completed");
    assertThat(end.data().string("id", "")).isEqualTo(id);
    assertThat(end.data().string("object", "")).isEqualTo("image.job");
    assertThat(end.data().string("status", "")).isEqualTo("completed");
    assertThat(end.data().object("result").orElseThrow().array("data")).hasSize(1);
  }

  private List<Event> events(String id, String... headers) throws Exception {
    HttpResponse<String> r = jobs.send("alice", "GET", "/v1/jobs/" + id + "/events", null, headers);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    return parse(r.body());
  }

  @Test
  void aFinishedJobsEventsEndWithItsTerminalEvent() throws Exception {
    String done =
        jobs.queued("alice", "/v1/images/generations", "{\"prompt\":\"a cup\",\"steps\":3}")
            .string("id", "");
    jobs.awaitStatus("alice", done, "completed");
    List<Event> all = events(done);
    assertThat(all).extracting(Event::type).endsWith("completed");
    assertThat(all.getLast().data().string("status", "")).isEqualTo("completed");
    assertThat(all)
        .extracting(Event::id)
        .containsExactlyElementsOf(
            IntStream.rangeClosed(1, all.size()).mapToObj(i -> (long) i).toList());
    long last = all.getLast().id();
    assertThat(events(done, "Last-Event-ID", Long.toString(last - 1)))
        .extracting(Event::id, Event::type)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(last, "completed"));
    assertThat(events(done, "Last-Event-ID", Long.toString(last))).isEmpty();

    f.engine.failAtStep = 2;
    String failed =
        jobs.queued("alice", "/v1/images/generations", "{\"prompt\":\"a jug\",\"steps\":3}")
            .string("id", "");
    jobs.awaitEnd("alice", failed);
    Event end = events(failed).getLast();
    assertThat(end.type()).isEqualTo("failed");
    assertThat(end.data().object("error").orElseThrow().string("code", ""))
        .isEqualTo("engine_error");
  }

  @Test
  void aQueuedRequestForPartialImagesHasThemAsEvents() throws Exception {
    String id =
        jobs.queued(
                "alice",
                "/v1/images/generations",
                "{\"prompt\":\"a lighthouse\",\"size\":\"64x48\",\"steps\":10,\"seed\":5,"
                    + "\"stream\":false,\"partial_images\":2}")
            .string("id", "");
    JsonValue.Obj done = jobs.awaitStatus("alice", id, "completed");
    List<Event> all = events(id);
    List<Event> partials = all.stream().filter(e -> e.type().equals("partial_image")).toList();
    assertThat(partials).hasSize(2);
    assertThat(partials)
        .extracting(e -> (int) e.data().number("partial_image_index", -1))
        .containsExactly(0, 1);
    for (Event p : partials) {
      byte[] png = Base64.getDecoder().decode(p.data().string("b64_json", ""));
      assertThat(StreamingApiTest.isPng(png)).isTrue();
    }
    assertThat(all.getLast().type()).isEqualTo("completed");
    // The result is the ordinary JSON answer, not a stream.
    assertThat(done.object("result").orElseThrow().array("data")).hasSize(1);
  }
}
