package dev.atelier.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedSet;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fixed number of identical {@code POST} requests sent from a fixed number of client threads,
 * each sending its next request as soon as its previous one is answered, with every outcome
 * counted: the body of a closed-loop load test.
 */
final class ServerLoad {
  private static final Pattern URL_FIELD = Pattern.compile("\"url\"\\s*:\\s*\"");
  private static final int MAX_ERRORS_KEPT = 5;

  private final URI target;
  private final String body;
  private final Optional<String> apiKey;
  private final Duration timeout;

  /**
   * A load of {@code body} posted as JSON to {@code target}.
   *
   * @param apiKey sent as {@code Authorization: Bearer} when present
   * @param timeout how long one request may take before it counts as a connection error
   */
  ServerLoad(URI target, String body, Optional<String> apiKey, Duration timeout) {
    this.target = target;
    this.body = body;
    this.apiKey = apiKey;
    this.timeout = timeout;
  }

  /**
   * Sends {@code requests} requests from {@code concurrency} virtual threads and waits for all.
   *
   * @throws IllegalArgumentException if either count is below 1
   */
  Result run(int requests, int concurrency) throws InterruptedException {
    if (requests < 1 || concurrency < 1) {
      throw new IllegalArgumentException(
          "requests and concurrency must be at least 1 but were " + requests + ", " + concurrency);
    }
    Result result = new Result(requests);
    AtomicInteger next = new AtomicInteger();
    try (HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build()) {
      List<Thread> clients = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < Math.min(concurrency, requests); i++) {
        clients.add(
            Thread.ofVirtual()
                .name("bench-server-client-" + i)
                .start(
                    () -> {
                      while (next.getAndIncrement() < requests) {
                        send(http, result);
                      }
                    }));
      }
      for (Thread t : clients) {
        t.join();
      }
      result.wallNanos = System.nanoTime() - start;
    }
    return result;
  }

  private void send(HttpClient http, Result result) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    apiKey.ifPresent(k -> request.header("Authorization", "Bearer " + k));
    long start = System.nanoTime();
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      long nanos = System.nanoTime() - start;
      int status = response.statusCode();
      result.answered(status, nanos, status / 100 == 2 ? count(response.body()) : 0);
      if (status / 100 != 2) {
        result.error(status + ": " + firstLine(response.body()));
      }
    } catch (IOException e) {
      result.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result.failed("interrupted");
    }
  }

  private static int count(String body) {
    Matcher m = URL_FIELD.matcher(body);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static String firstLine(String body) {
    String line = body.strip().lines().findFirst().orElse("");
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  /** What a load produced; thread-safe while it runs, read once it has finished. */
  static final class Result {
    private final int requests;
    private final Map<Integer, Integer> statuses = new TreeMap<>();
    private final List<Long> servedNanos = new ArrayList<>();
    private final SequencedSet<String> errors = new LinkedHashSet<>();
    private int connectionErrors;
    private long images;
    private long wallNanos;

    private Result(int requests) {
      this.requests = requests;
    }

    private synchronized void answered(int status, long nanos, int imageCount) {
      statuses.merge(status, 1, Integer::sum);
      if (status / 100 == 2) {
        servedNanos.add(nanos);
        images += imageCount;
      }
    }

    private synchronized void failed(String message) {
      connectionErrors++;
      error(message);
    }

    private synchronized void error(String message) {
      if (errors.size() < MAX_ERRORS_KEPT) {
        errors.add(message);
      }
    }

    /** Requests sent. */
    int requests() {
      return requests;
    }

    /** Responses per HTTP status. */
    synchronized Map<Integer, Integer> statuses() {
      return new TreeMap<>(statuses);
    }

    /** Responses whose status is from {@code from} to {@code to}, both included. */
    synchronized int between(int from, int to) {
      return statuses.entrySet().stream()
          .filter(e -> e.getKey() >= from && e.getKey() <= to)
          .mapToInt(Map.Entry::getValue)
          .sum();
    }

    /** Requests that got no HTTP response: refused or reset connections, timeouts. */
    synchronized int connectionErrors() {
      return connectionErrors;
    }

    /** Images in the 2xx responses. */
    synchronized long images() {
      return images;
    }

    /** From the first request sent to the last answer. */
    synchronized Duration wall() {
      return Duration.ofNanos(wallNanos);
    }

    /** The first distinct non-2xx answers and connection errors, at most five. */
    synchronized List<String> errors() {
      return List.copyOf(errors);
    }

    /**
     * The {@code p}-th percentile latency of the 2xx responses (nearest rank).
     *
     * @return empty when no request was served
     * @throws IllegalArgumentException if {@code p} is not in (0, 100]
     */
    synchronized Optional<Duration> latency(double p) {
      if (!(p > 0 && p <= 100)) {
        throw new IllegalArgumentException("p must be in (0, 100] but was " + p);
      }
      if (servedNanos.isEmpty()) {
        return Optional.empty();
      }
      long[] sorted = servedNanos.stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(sorted);
      int rank = (int) Math.ceil(p / 100 * sorted.length);
      return Optional.of(Duration.ofNanos(sorted[Math.max(0, rank - 1)]));
    }
  }
}
