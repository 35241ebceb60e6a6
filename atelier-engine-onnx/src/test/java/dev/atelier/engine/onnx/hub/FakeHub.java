package dev.atelier.engine.onnx.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.atelier.core.json.Json;
import dev.atelier.engine.onnx.hub.internal.Checksums;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A working stand-in for the Hub on 127.0.0.1: one repository at one revision ({@code main} unless
 * named), served from a folder plus in-memory extras (a folder's link files, small files holding a
 * relative path to a sibling folder as {@code ModelFolder} reads them, are served as that folder's
 * files), with the tree API, {@code resolve} URLs that redirect LFS files to a {@code /cdn/} path,
 * {@code Range} support, and switches for faults: transfers cut or stalled after some bytes, error
 * answers (with {@code Retry-After}) and corrupt bytes. Every request is recorded with its {@code
 * Range} header. Each request has its own (virtual) thread, so a stalled answer holds up nobody
 * else.
 */
final class FakeHub implements AutoCloseable {

  /** One request as the server saw it; absent headers are {@code ""}. */
  record Request(String path, String range, String authorization) {}

  final String repo;
  final String revision;
  final Map<String, byte[]> files = new TreeMap<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();

  /**
   * A file's transfers cut after {@code afterBytes} of the answer, {@code remaining} more times.
   */
  private record Cut(int afterBytes, AtomicInteger remaining) {}

  /**
   * A file's transfers stall after {@code afterBytes} of the answer, {@code remaining} more times.
   */
  private record Stall(int afterBytes, AtomicInteger remaining) {}

  /** An error answered to requests whose path ends with a suffix, {@code remaining} more times. */
  private record Refusal(int status, String retryAfter, AtomicInteger remaining) {}

  private final Map<String, Cut> cuts = new ConcurrentHashMap<>();
  private final Map<String, Refusal> refusals = new ConcurrentHashMap<>();
  private final Map<String, Stall> stalls = new ConcurrentHashMap<>();

  /** Opened by {@link #releaseStalls} or {@link #close}: stalled answers go on then. */
  private final CountDownLatch released = new CountDownLatch(1);

  /** How each stalled answer ended once released; see {@link #releaseStalls}. */
  private final List<CompletableFuture<String>> stallEnds = new CopyOnWriteArrayList<>();

  /** Paths whose next download has one byte flipped. */
  final Set<String> corruptOnce = ConcurrentHashMap.newKeySet();

  /** Paths that are always served with one byte flipped. */
  final Set<String> corruptAlways = ConcurrentHashMap.newKeySet();

  /** Paths served whole with 200 whatever {@code Range} asks, as a server without ranges. */
  final Set<String> ignoreRange = ConcurrentHashMap.newKeySet();

  /** Called with each request as it arrives, before it is answered (tests look at the disk). */
  volatile Consumer<Request> onRequest = r -> {};

  /** When not empty, the API and resolve URLs demand {@code Authorization: Bearer <token>}. */
  volatile String requiredToken = "";

  private final HttpServer server;
  private final ExecutorService handlers =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("fake-hub-", 0).factory());

  FakeHub(String repo, Path folder) throws IOException {
    this(repo, "main", folder);
  }

  /** A hub that serves {@code folder} as {@code repo} at {@code revision} only. */
  FakeHub(String repo, String revision, Path folder) throws IOException {
    this.repo = repo;
    this.revision = revision;
    addFolder(folder, "");
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(handlers);
    server.start();
  }

  /**
   * Adds the files under {@code folder} as {@code prefix + relative path}, following link files.
   */
  private void addFolder(Path folder, String prefix) throws IOException {
    // Symbolic links are followed too, where git checked the fixtures' links out as links.
    try (Stream<Path> walk = Files.walk(folder, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        String name = prefix + folder.relativize(p).toString().replace('\\', '/');
        Optional<Path> linked = linkTarget(p);
        if (linked.isPresent()) {
          addFolder(linked.get(), name + "/");
        } else {
          files.put(name, Files.readAllBytes(p));
        }
      }
    }
  }

  /**
   * The folder a link file names (a short text holding a relative path to a folder), if it is one.
   */
  private static Optional<Path> linkTarget(Path file) throws IOException {
    if (Files.size(file) > 256) {
      return Optional.empty();
    }
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
    if (text.isEmpty() || text.contains("\n") || text.startsWith("{")) {
      return Optional.empty();
    }
    try {
      Path target = file.getParent().resolve(text).normalize();
      return Files.isDirectory(target) ? Optional.of(target) : Optional.empty();
    } catch (java.nio.file.InvalidPathException e) {
      return Optional.empty();
    }
  }

  /** A hub serving the tiny SD fixture as {@code atelier-test/tiny-sd}, plus files a pull skips. */
  static FakeHub tinySd() throws IOException {
    FakeHub hub = new FakeHub("atelier-test/tiny-sd", fixture());
    hub.files.put("unet/diffusion_pytorch_model.safetensors", new byte[1234]);
    hub.files.put("sample.png", new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    hub.files.put(".gitattributes", "*.onnx filter=lfs\n".getBytes(StandardCharsets.UTF_8));
    return hub;
  }

  static Path fixture() {
    return Path.of("src/test/resources/diffusers-tiny/models/tiny-sd").toAbsolutePath();
  }

  /**
   * Cuts the next {@code times} transfers of {@code file} after {@code afterBytes} bytes of each
   * answer by dropping the connection ({@link Integer#MAX_VALUE} for every transfer).
   */
  void cut(String file, int afterBytes, int times) {
    cuts.put(file, new Cut(afterBytes, new AtomicInteger(times)));
  }

  /**
   * Stalls the next {@code times} transfers of {@code file}: {@code afterBytes} bytes of each
   * answer are sent and flushed, then nothing more while the connection stays open, until {@link
   * #releaseStalls} or {@link #close} ({@link Integer#MAX_VALUE} for every transfer). The JDK's
   * server cannot see a client hang up without writing, so a stalled answer only learns it then.
   */
  void stall(String file, int afterBytes, int times) {
    stalls.put(file, new Stall(afterBytes, new AtomicInteger(times)));
  }

  /**
   * Lets every stalled answer try to send the rest of its file and returns how each ended: {@code
   * "client gone"} when the client had dropped the connection, {@code "sent"} when it was still
   * there to read it.
   */
  List<String> releaseStalls() throws Exception {
    released.countDown();
    List<String> ends = new ArrayList<>();
    for (CompletableFuture<String> end : stallEnds) {
      ends.add(end.get(30, TimeUnit.SECONDS));
    }
    return ends;
  }

  /** Stops cutting {@code file}. */
  void stopCutting(String file) {
    cuts.remove(file);
  }

  /**
   * Answers the next {@code times} requests whose path ends with {@code pathSuffix} with {@code
   * status}, sending {@code Retry-After: retryAfter} unless it is {@code ""}.
   */
  void refuse(String pathSuffix, int status, String retryAfter, int times) {
    refusals.put(pathSuffix, new Refusal(status, retryAfter, new AtomicInteger(times)));
  }

  /** The {@code Range} headers of the requests for a path, {@code ""} where none was sent. */
  List<String> rangesFor(String pathSuffix) {
    return requestsFor(pathSuffix).stream().map(Request::range).toList();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  List<Request> requestsFor(String pathSuffix) {
    return requests.stream().filter(r -> r.path().endsWith(pathSuffix)).toList();
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
    handlers.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = URLDecoder.decode(ex.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    String range = ex.getRequestHeaders().getFirst("Range");
    Request request = new Request(path, range == null ? "" : range, auth == null ? "" : auth);
    requests.add(request);
    onRequest.accept(request);
    String tree = "/api/models/" + repo + "/tree/" + revision;
    String resolve = "/" + repo + "/resolve/" + revision + "/";
    boolean authorised = requiredToken.isEmpty() || ("Bearer " + requiredToken).equals(auth);
    Optional<Refusal> refusal =
        refusals.entrySet().stream()
            .filter(e -> path.endsWith(e.getKey()))
            .map(Map.Entry::getValue)
            .filter(r -> r.remaining().getAndDecrement() > 0)
            .findFirst();
    if (refusal.isPresent()) {
      if (!refusal.get().retryAfter().isEmpty()) {
        ex.getResponseHeaders().add("Retry-After", refusal.get().retryAfter());
      }
      send(ex, refusal.get().status(), "{\"error\":\"refused by the test\"}");
    } else if ((path.equals(tree) || path.startsWith(resolve)) && !authorised) {
      ex.getResponseHeaders().add("X-Error-Code", "GatedRepo");
      send(ex, 401, "{\"error\":\"Access to model " + repo + " is restricted.\"}");
    } else if (path.equals(tree)) {
      send(ex, 200, treeJson());
    } else if (path.startsWith(resolve) && files.containsKey(path.substring(resolve.length()))) {
      String file = path.substring(resolve.length());
      if (isLfs(file)) {
        ex.getResponseHeaders().add("Location", "/cdn/" + file);
        send(ex, 302, "");
      } else {
        serveFile(ex, file, range);
      }
    } else if (path.startsWith("/cdn/") && files.containsKey(path.substring(5))) {
      serveFile(ex, path.substring(5), range);
    } else {
      ex.getResponseHeaders().add("X-Error-Code", "RepoNotFound");
      send(ex, 404, "{\"error\":\"Repository not found\"}");
    }
  }

  private void serveFile(HttpExchange ex, String file, String range) throws IOException {
    byte[] bytes = files.get(file).clone();
    if (corruptAlways.contains(file) || corruptOnce.remove(file)) {
      bytes[bytes.length / 2] ^= 0x5a;
    }
    int start = 0;
    int status = 200;
    if (range != null
        && range.startsWith("bytes=")
        && range.endsWith("-")
        && !ignoreRange.contains(file)) {
      start = Integer.parseInt(range.substring(6, range.length() - 1));
      if (start >= bytes.length) {
        ex.getResponseHeaders().add("Content-Range", "bytes */" + bytes.length);
        send(ex, 416, "");
        return;
      }
      status = 206;
      ex.getResponseHeaders()
          .add("Content-Range", "bytes " + start + "-" + (bytes.length - 1) + "/" + bytes.length);
    }
    int length = bytes.length - start;
    ex.sendResponseHeaders(status, length);
    OutputStream out = ex.getResponseBody();
    Cut cut = cuts.get(file);
    if (cut != null && cut.remaining().getAndDecrement() > 0) {
      out.write(bytes, start, Math.min(cut.afterBytes(), length));
      out.flush();
      // Closing short of the announced length makes the server drop the connection.
      ex.close();
      return;
    }
    Stall stall = stalls.get(file);
    if (stall != null && stall.remaining().getAndDecrement() > 0) {
      stall(ex, bytes, start, Math.min(stall.afterBytes(), length));
      return;
    }
    out.write(bytes, start, length);
    out.close();
  }

  private void stall(HttpExchange ex, byte[] bytes, int start, int sent) throws IOException {
    CompletableFuture<String> end = new CompletableFuture<>();
    stallEnds.add(end);
    OutputStream out = ex.getResponseBody();
    out.write(bytes, start, sent);
    out.flush();
    try {
      released.await();
    } catch (InterruptedException e) {
      end.complete("interrupted");
      ex.close();
      return;
    }
    // Writing is the only way to learn whether the client is still there: a dropped connection
    // fails the write (the first small writes may still fit in the socket's buffer, not 6 MB).
    try {
      for (int at = start + sent; at < bytes.length; at += 8192) {
        out.write(bytes, at, Math.min(8192, bytes.length - at));
      }
      out.close();
      end.complete("sent");
    } catch (IOException e) {
      end.complete("client gone");
      ex.close();
    }
  }

  private String treeJson() {
    Set<String> dirs = new TreeSet<>();
    List<String> entries = new ArrayList<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      String p = f.getKey();
      for (int i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) {
        dirs.add(p.substring(0, i));
      }
      String lfs =
          isLfs(p)
              ? ",\"lfs\":{\"oid\":\""
                  + Checksums.sha256(f.getValue())
                  + "\",\"size\":"
                  + f.getValue().length
                  + ",\"pointerSize\":134}"
              : "";
      entries.add(
          "{\"type\":\"file\",\"oid\":\"0000\",\"size\":"
              + f.getValue().length
              + ",\"path\":"
              + Json.quote(p)
              + lfs
              + "}");
    }
    for (String d : dirs) {
      entries.add(
          "{\"type\":\"directory\",\"oid\":\"0000\",\"size\":0,\"path\":" + Json.quote(d) + "}");
    }
    return "[" + String.join(",", entries) + "]";
  }

  private static boolean isLfs(String path) {
    return path.endsWith(".onnx")
        || path.endsWith(".onnx_data")
        || path.endsWith(".safetensors")
        || path.endsWith(".bin");
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
