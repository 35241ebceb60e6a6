package dev.atelier.engine.onnx.hub;

import dev.atelier.core.AtelierException;
import dev.atelier.core.AtelierException.ModelUnavailable;
import dev.atelier.engine.onnx.hub.internal.TreeListing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * Talks to the Hugging Face Hub over HTTP: lists a repository's files and downloads them.
 *
 * <p>Files are listed with {@code GET /api/models/{repo}/tree/{revision}?recursive=true} and
 * fetched from {@code GET /{repo}/resolve/{revision}/{path}}, following redirects (the token is
 * only sent to the endpoint's own host, never to the storage hosts it redirects to). Downloads
 * resume from a {@code .part} file with a {@code Range} header and are verified; see {@link
 * #download}. Transient failures (a cut connection, a timeout, HTTP 5xx or 429) are retried as the
 * {@link RetryPolicy} says, a download resuming where the cut left it; so is a response body that
 * sends nothing for the policy's {@code stallTimeout}. Thread-safe.
 */
public final class HubClient {

  private static final int MAX_REDIRECTS = 10;
  // Bounds the wait for response headers only; a body that stalls is caught by the StallWatchdog.
  private static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(60);

  private final HubConfig config;
  private final HttpClient http;
  private final FileTransfer transfer;
  private final Retrier retrier;
  private final StallWatchdog watchdog;

  /**
   * A client for the given endpoint, token and offline setting, retrying as {@link
   * RetryPolicy#DEFAULT} says.
   */
  public HubClient(HubConfig config) {
    this(config, RetryPolicy.DEFAULT);
  }

  /** A client for the given endpoint, token and offline setting, retrying as {@code retry} says. */
  public HubClient(HubConfig config, RetryPolicy retry) {
    this(config, retry, Retrier.Sleeper.THREAD);
  }

  /** A client that waits between attempts with {@code sleeper} (tests record the waits). */
  HubClient(HubConfig config, RetryPolicy retry, Retrier.Sleeper sleeper) {
    this.config = Objects.requireNonNull(config, "config");
    this.retrier = new Retrier(retry, sleeper, new Random());
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(30))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    this.watchdog = new StallWatchdog(retry.stallTimeout());
    this.transfer = new FileTransfer(this, retrier, watchdog);
  }

  /** A client configured from {@code HF_ENDPOINT}, {@code HF_TOKEN} and the offline variables. */
  public static HubClient fromEnvironment() {
    return new HubClient(HubConfig.fromEnvironment());
  }

  /** The configuration in use. */
  public HubConfig config() {
    return config;
  }

  /**
   * Lists every file of the repository at the id's revision, following paged answers.
   *
   * @throws ModelUnavailable when offline, when the Hub cannot be reached (or fails transiently on
   *     every attempt), when the repository is gated, private or missing, or when the answer is not
   *     a file listing
   */
  public List<HubFile> listFiles(ModelId model) {
    requireOnline(model, "list its files");
    URI uri =
        URI.create(
            config.endpoint()
                + "/api/models/"
                + model.repo()
                + "/tree/"
                + segment(model.revision())
                + "?recursive=true");
    List<HubFile> files = new ArrayList<>();
    while (uri != null) {
      URI page = uri;
      Page answer;
      try {
        answer =
            retrier.run(
                "listing " + model,
                () -> fetchPage(model, page),
                (attempts, last) ->
                    new ModelUnavailable(
                        last.getMessage() + " (gave up after " + attempts + " attempts)", last));
      } catch (IOException e) {
        // Only file writes throw this, and a listing writes none.
        throw new ModelUnavailable("listing " + model + " failed: " + e, e);
      }
      try {
        files.addAll(TreeListing.parse(answer.body()));
      } catch (IllegalArgumentException e) {
        throw new ModelUnavailable(
            "the Hub's file list of " + model + " is not a tree listing: " + e.getMessage(), e);
      }
      uri = answer.next().map(page::resolve).orElse(null);
    }
    return List.copyOf(files);
  }

  /**
   * Downloads one file to {@code target}, resuming from {@code target + ".part"} when one exists.
   *
   * <p>A transfer cut short is retried with {@code Range: bytes=<bytes on disk>-}, so the bytes
   * already in the {@code .part} file are kept and {@code progress} does not go back (it only does
   * when the file has to start over: corrupt, or a server that cannot resume). The finished file is
   * checked against the listing (SHA-256 for LFS files, size otherwise); a mismatch discards it and
   * fetches it once more from the start. The target only appears once verified, so a present target
   * is a good one.
   *
   * @throws ModelUnavailable when offline, unreachable, refused, failing transiently on every
   *     attempt (the {@code .part} file is kept so that the next call resumes) or corrupt twice
   */
  public void download(ModelId model, HubFile file, Path target, DownloadProgress progress) {
    requireOnline(model, "download " + file.path());
    transfer.download(model, file, target, progress);
  }

  /** The watchdog of this client's response bodies (tests check that it lets go of them). */
  StallWatchdog watchdog() {
    return watchdog;
  }

  /** The {@code resolve} URL of a file. */
  URI resolveUri(ModelId model, HubFile file) {
    StringBuilder path = new StringBuilder();
    for (String part : file.path().split("/")) {
      path.append('/').append(segment(part));
    }
    return URI.create(
        config.endpoint() + "/" + model.repo() + "/resolve/" + segment(model.revision()) + path);
  }

  private record Page(String body, Optional<String> next) {}

  private Page fetchPage(ModelId model, URI uri) throws TransientFailure {
    HttpResponse<InputStream> response = send(model, uri, "", Map.of());
    try (InputStream in = response.body();
        StallWatchdog.Watch watch = watchdog.watch(in)) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      byte[] buffer = new byte[1 << 13];
      try {
        for (int n; (n = in.read(buffer)) >= 0; watch.progress()) {
          body.write(buffer, 0, n);
        }
      } catch (IOException e) {
        String why = watch.stalled() ? "the answer stalled (" + watchdog.describe() + ")" : "" + e;
        throw new TransientFailure(
            "reading the file list of " + model + " from " + config.endpoint() + " failed: " + why,
            e);
      }
      return new Page(
          body.toString(StandardCharsets.UTF_8),
          response.headers().firstValue("Link").flatMap(TreeListing::nextPage));
    } catch (IOException e) {
      // Closing the body failed, which says the connection is in trouble too.
      throw new TransientFailure(
          "reading the file list of " + model + " from " + config.endpoint() + " failed: " + e, e);
    }
  }

  /**
   * Sends a GET, following redirects; answers 200, 206 and 416 are returned, 5xx, 429 and IO
   * failures other than a refused connection are transient, other answers are errors.
   */
  HttpResponse<InputStream> send(
      ModelId model, URI uri, String filePath, Map<String, String> headers)
      throws TransientFailure {
    URI current = uri;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(current)
              .GET()
              .timeout(HEADERS_TIMEOUT)
              .header("User-Agent", "atelier");
      headers.forEach(request::header);
      if (config.hasToken() && sameOrigin(current, config.endpoint())) {
        request.header("Authorization", "Bearer " + config.token());
      }
      HttpResponse<InputStream> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        String message =
            "cannot reach the Hub at "
                + config.endpoint()
                + " for "
                + model
                + ": "
                + e
                + " (set ATELIER_OFFLINE=1 to use only cached models)";
        // Nobody listening (or no such host) is not going to change within seconds; a reset or a
        // timeout may.
        if (e instanceof ConnectException) {
          throw new ModelUnavailable(message, e);
        }
        throw new TransientFailure(message, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AtelierException.Cancelled("request for " + model + " was interrupted");
      }
      int status = response.statusCode();
      Optional<String> location = response.headers().firstValue("Location");
      if (status >= 300 && status < 400 && location.isPresent()) {
        close(response);
        current = current.resolve(location.get());
        continue;
      }
      if (status == 200 || status == 206 || status == 416) {
        return response;
      }
      close(response);
      ModelUnavailable error =
          HubErrors.forStatus(config, model, filePath, status, response.headers());
      if (HubErrors.isTransient(status)) {
        throw new TransientFailure(
            error.getMessage(),
            Retrier.parseRetryAfter(response.headers().firstValue("Retry-After"), Instant.now()),
            error);
      }
      throw error;
    }
    throw new ModelUnavailable(
        "the Hub redirected more than " + MAX_REDIRECTS + " times for " + model + " " + filePath);
  }

  private void requireOnline(ModelId model, String action) {
    if (config.offline()) {
      throw new ModelUnavailable(
          "offline mode (set by " + config.offlineBy() + "): cannot " + action + " of " + model);
    }
  }

  private static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(a.getScheme(), b.getScheme())
        && Objects.equals(a.getHost(), b.getHost())
        && a.getPort() == b.getPort();
  }

  private static String segment(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void close(HttpResponse<InputStream> response) {
    try {
      response.body().close();
    } catch (IOException ignored) {
      // Nothing useful can be done; the connection is dropped.
    }
  }
}
