package dev.atelier.engine.onnx.hub;

import dev.atelier.core.AtelierException.ModelUnavailable;
import dev.atelier.engine.onnx.hub.internal.Checksums;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;

/**
 * Moves one file's bytes into a {@code .part} file, resuming, retrying and verifying; see
 * HubClient. A body that stalls is closed by a {@link StallWatchdog} and counts as a cut.
 */
final class FileTransfer {

  private final HubClient client;
  private final Retrier retrier;
  private final StallWatchdog watchdog;

  FileTransfer(HubClient client, Retrier retrier, StallWatchdog watchdog) {
    this.client = client;
    this.retrier = retrier;
    this.watchdog = watchdog;
  }

  void download(ModelId model, HubFile file, Path target, DownloadProgress progress) {
    Path part = target.resolveSibling(target.getFileName() + ".part");
    try {
      Files.createDirectories(target.getParent());
      for (int attempt = 1; ; attempt++) {
        retrier.run(
            "download of " + file.path() + " from " + model,
            () -> fetch(model, file, part, progress),
            (attempts, last) -> gaveUp(model, file, part, attempts, last));
        Optional<String> problem = verify(file, part);
        if (problem.isEmpty()) {
          move(part, target);
          return;
        }
        // A corrupt file is not a transient failure: it is fetched once more from the start.
        Files.deleteIfExists(part);
        if (attempt == 2) {
          throw new ModelUnavailable(
              "file "
                  + file.path()
                  + " of "
                  + model
                  + " was corrupt twice, so it was not kept: "
                  + problem.get());
        }
      }
    } catch (IOException e) {
      throw new ModelUnavailable(
          "cannot write " + target + " for " + model + " " + file.path() + ": " + e, e);
    }
  }

  private static ModelUnavailable gaveUp(
      ModelId model, HubFile file, Path part, int attempts, TransientFailure last)
      throws IOException {
    long kept = Files.exists(part) ? Files.size(part) : 0;
    return new ModelUnavailable(
        "download of "
            + file.path()
            + " from "
            + model
            + " gave up after "
            + attempts
            + " attempts (the last: "
            + last.getMessage()
            + "); "
            + kept
            + " of "
            + file.size()
            + " bytes are kept in "
            + part
            + ", and running the command again resumes from there",
        last);
  }

  /**
   * One attempt at filling {@code part} with the file's bytes, resuming from what it already holds.
   * Reports progress from the bytes on disk, so a retry carries on where the last attempt stopped.
   */
  private Void fetch(ModelId model, HubFile file, Path part, DownloadProgress progress)
      throws IOException, TransientFailure {
    long have = Files.exists(part) ? Files.size(part) : 0;
    if (have > file.size()) {
      Files.delete(part);
      have = 0;
    }
    if (have == file.size()) {
      if (!Files.exists(part)) {
        Files.createFile(part);
      }
      progress.update(file.path(), have, file.size());
      return null; // a finished .part from an earlier run; verification decides whether it is good
    }
    progress.update(file.path(), have, file.size());
    Map<String, String> range = have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of();
    HttpResponse<InputStream> response =
        client.send(model, client.resolveUri(model, file), file.path(), range);
    int status = response.statusCode();
    long skip = 0;
    if (status == 200 && have > 0) {
      // The server ignored the range and sends the whole file: pass over what is on disk already.
      skip = have;
    } else if (status == 416 || (status == 206 && contentRangeStart(response) != have)) {
      // The server cannot continue where we stopped: start the file over, without a range.
      response.body().close();
      Files.deleteIfExists(part);
      have = 0;
      response = client.send(model, client.resolveUri(model, file), file.path(), Map.of());
      if (response.statusCode() != 200) {
        response.body().close();
        throw new ModelUnavailable(
            "the Hub answered HTTP "
                + response.statusCode()
                + " instead of 200 for "
                + file.path()
                + " of "
                + model);
      }
    }
    copy(response.body(), skip, part, have, file, progress);
    return null;
  }

  /**
   * Appends the body (less its first {@code skip} bytes) to {@code part}, which holds {@code have}
   * bytes. Reading failures, a stall among them, are transient and keep what was written; writing
   * failures are not.
   */
  private void copy(
      InputStream body, long skip, Path part, long have, HubFile file, DownloadProgress progress)
      throws IOException, TransientFailure {
    long done = have;
    StandardOpenOption mode =
        have > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
    try (InputStream in = body;
        StallWatchdog.Watch watch = watchdog.watch(in);
        OutputStream out =
            Files.newOutputStream(
                part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
      byte[] buffer = new byte[1 << 16];
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (IOException e) {
          if (watch.stalled()) {
            throw new TransientFailure(
                "the transfer stalled ("
                    + watchdog.describe()
                    + ") after "
                    + done
                    + " of "
                    + file.size()
                    + " bytes, so the connection was dropped",
                e);
          }
          throw cut(file, done, e.toString(), e);
        }
        if (n < 0) {
          break;
        }
        watch.progress();
        int from = (int) Math.min(skip, n);
        skip -= from;
        if (n > from) {
          // Written before it is counted: the bytes reported are always on disk.
          out.write(buffer, from, n - from);
          done += n - from;
          progress.update(file.path(), done, file.size());
        }
      }
    }
    if (done < file.size()) {
      throw cut(file, done, "the answer ended early", null);
    }
  }

  private static TransientFailure cut(HubFile file, long done, String why, Throwable cause) {
    return new TransientFailure(
        "the transfer was cut after " + done + " of " + file.size() + " bytes (" + why + ")",
        cause);
  }

  private static Optional<String> verify(HubFile file, Path part) throws IOException {
    long size = Files.size(part);
    if (size != file.size()) {
      return Optional.of("expected " + file.size() + " bytes but got " + size);
    }
    if (file.checksum().isPresent()) {
      String actual = Checksums.sha256(part);
      if (!actual.equals(file.sha256())) {
        return Optional.of("expected sha256 " + file.sha256() + " but got " + actual);
      }
    }
    return Optional.empty();
  }

  private static long contentRangeStart(HttpResponse<?> response) {
    // "bytes 100-999/1000"
    String value = response.headers().firstValue("Content-Range").orElse("");
    int space = value.indexOf(' ');
    int dash = value.indexOf('-');
    if (!value.startsWith("bytes ") || dash < space) {
      return -1;
    }
    try {
      return Long.parseLong(value.substring(space + 1, dash).strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
