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

/** Moves one file's bytes into a {@code .part} file, resuming and verifying; see HubClient. */
final class FileTransfer {

  private final HubClient client;

  FileTransfer(HubClient client) {
    this.client = client;
  }

  void download(ModelId model, HubFile file, Path target, DownloadProgress progress) {
    Path part = target.resolveSibling(target.getFileName() + ".part");
    try {
      Files.createDirectories(target.getParent());
      for (int attempt = 1; ; attempt++) {
        fetch(model, file, part, progress);
        Optional<String> problem = verify(file, part);
        if (problem.isEmpty()) {
          move(part, target);
          return;
        }
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

  /** Fills {@code part} with the file's bytes, resuming from what it already holds. */
  private void fetch(ModelId model, HubFile file, Path part, DownloadProgress progress)
      throws IOException {
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
      return; // a finished .part from an earlier run; verification decides whether it is good
    }
    Map<String, String> range = have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of();
    HttpResponse<InputStream> response =
        client.send(model, client.resolveUri(model, file), file.path(), range);
    int status = response.statusCode();
    boolean append = status == 206 && have > 0 && contentRangeStart(response) == have;
    if (status == 416 || (status == 206 && !append)) {
      // The server cannot continue where we stopped: start the file over once, without a range.
      response.body().close();
      Files.deleteIfExists(part);
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
      append = false;
    }
    long done = append ? have : 0;
    progress.update(file.path(), done, file.size());
    StandardOpenOption mode =
        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
    try (InputStream in = response.body();
        OutputStream out =
            Files.newOutputStream(
                part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
        done += n;
        progress.update(file.path(), done, file.size());
      }
    } catch (IOException e) {
      throw new ModelUnavailable(
          "download of "
              + file.path()
              + " from "
              + model
              + " was interrupted after "
              + done
              + " of "
              + file.size()
              + " bytes ("
              + e.getMessage()
              + "); pull again to resume from "
              + part,
          e);
    }
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
