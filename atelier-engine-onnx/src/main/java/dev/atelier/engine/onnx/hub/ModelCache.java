package dev.atelier.engine.onnx.hub;

import dev.atelier.core.AtelierException.InvalidRequest;
import dev.atelier.core.AtelierException.ModelUnavailable;
import dev.atelier.engine.onnx.hub.internal.FileSelection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Model folders pulled from the Hub, kept under {@code <dataDir>/models/<owner>--<name>/<revision>}
 * with the repository's folder layout.
 *
 * <p>A pull takes only the files the ONNX engine reads (graphs, external weights, configs,
 * tokenizer files) and writes a {@code .complete} marker last, so a folder without it, left by an
 * interrupted pull, is never handed out; pulling again resumes it. A complete revision is not
 * checked against the Hub again: {@link #rm} it to refresh a moving branch such as {@code main}.
 * One pull per model at a time: concurrent pulls of the same revision are not coordinated.
 */
public final class ModelCache {

  /** The marker written into a revision folder when its pull finished. */
  public static final String COMPLETE_MARKER = ".complete";

  private final Path root;
  private final HubClient client;

  /**
   * A cache in {@code dataDir/models} that pulls with {@code client}.
   *
   * @param dataDir Atelier's data directory
   * @param client the Hub client; its offline setting also governs the cache
   */
  public ModelCache(Path dataDir, HubClient client) {
    this.root = dataDir.resolve("models").toAbsolutePath().normalize();
    this.client = Objects.requireNonNull(client, "client");
  }

  /** The folder all cached models live under. */
  public Path root() {
    return root;
  }

  /** The folder of a model revision, whether or not it exists. */
  public Path folder(ModelId model) {
    return root.resolve(model.folderName()).resolve(model.revisionFolderName());
  }

  /**
   * Downloads a model revision into the cache unless it is complete there already.
   *
   * @param idAtRevision {@code owner/name} or {@code owner/name@revision} ({@code main} if absent)
   * @param progress told of bytes done and total over all files of the pull
   * @return the complete folder
   * @throws dev.atelier.core.AtelierException.InvalidRequest when the id is malformed
   * @throws ModelUnavailable when offline and not complete (naming the missing files), or when the
   *     Hub refuses, cannot be reached, or has no ONNX files in the repository
   */
  public Path pull(String idAtRevision, DownloadProgress progress) {
    ModelId model = ModelId.parse(idAtRevision);
    Path folder = folder(model);
    if (Files.exists(folder.resolve(COMPLETE_MARKER))) {
      return folder;
    }
    if (client.config().offline()) {
      throw offlineError(model, folder);
    }
    List<HubFile> all = client.listFiles(model);
    List<HubFile> wanted = all.stream().filter(f -> FileSelection.wanted(f.path())).toList();
    if (wanted.stream().noneMatch(f -> f.path().endsWith(".onnx"))) {
      throw new ModelUnavailable(
          "repo "
              + model.repo()
              + " at revision "
              + model.revision()
              + " has no ONNX files: expected *.onnx files but found "
              + summary(all));
    }
    long total = wanted.stream().mapToLong(HubFile::size).sum();
    try {
      CacheManifest.write(folder, model, wanted);
      long before = 0;
      for (HubFile file : wanted) {
        Path target = inside(folder, file.path());
        if (!(Files.isRegularFile(target) && Files.size(target) == file.size())) {
          long offset = before;
          client.download(
              model,
              file,
              target,
              (name, done, size) -> progress.update(name, offset + done, total));
        }
        before += file.size();
        progress.update(file.path(), before, total);
      }
      Files.writeString(folder.resolve(COMPLETE_MARKER), model + "\n");
    } catch (IOException e) {
      throw new ModelUnavailable("cannot write model files of " + model + " under " + folder, e);
    }
    return folder;
  }

  /**
   * A local folder, or a cached model's complete folder, pulling it first when needed.
   *
   * @param idOrPath an existing folder (returned unchanged) or a model id as in {@link #pull}
   * @throws ModelUnavailable when it must be pulled but cannot be (offline included)
   */
  public Path resolve(String idOrPath, DownloadProgress progress) {
    try {
      Path local = Path.of(idOrPath);
      if (Files.isDirectory(local)) {
        return local;
      }
    } catch (InvalidPathException notAPath) {
      // Not a usable path on this system, so it can only be a model id.
    }
    return pull(idOrPath, progress);
  }

  /** {@link #resolve(String, DownloadProgress)} without progress reports. */
  public Path resolve(String idOrPath) {
    return resolve(idOrPath, DownloadProgress.NONE);
  }

  /**
   * What a pull of this revision fetches, as far as the cache knows: the files the Hub listed for
   * an earlier (possibly interrupted) pull, and how many of their bytes are here already.
   *
   * @param totalBytes the sum of the listed files' sizes
   * @param presentBytes bytes already on disk, finished files and resumable {@code .part} files
   */
  public record Listed(long totalBytes, long presentBytes) {}

  /**
   * The size of a pull of {@code model} when a listing of its files was recorded here; empty when
   * the Hub never answered a listing for it.
   */
  public Optional<Listed> listed(ModelId model) {
    Path folder = folder(model);
    List<HubFile> files;
    try {
      files = CacheManifest.read(folder);
    } catch (IOException | RuntimeException unreadable) {
      return Optional.empty();
    }
    if (files.isEmpty()) {
      return Optional.empty();
    }
    long total = 0;
    long present = 0;
    for (HubFile f : files) {
      total += f.size();
      Path target = folder.resolve(f.path());
      Path part = target.resolveSibling(target.getFileName() + ".part");
      try {
        if (Files.isRegularFile(target)) {
          present += Math.min(f.size(), Files.size(target));
        } else if (Files.isRegularFile(part)) {
          present += Math.min(f.size(), Files.size(part));
        }
      } catch (IOException vanished) {
        // Counted as absent: the next pull fetches it.
      }
    }
    return Optional.of(new Listed(total, present));
  }

  /** Every cached revision, complete or not, sorted by id then revision. */
  public List<CachedModel> list() {
    List<CachedModel> models = new ArrayList<>();
    for (Path repo : children(root)) {
      String dir = repo.getFileName().toString();
      int sep = dir.indexOf("--");
      if (sep <= 0 || !Files.isDirectory(repo)) {
        continue;
      }
      String id = dir.substring(0, sep) + "/" + dir.substring(sep + 2);
      for (Path revision : children(repo)) {
        if (Files.isDirectory(revision)) {
          models.add(describe(id, revision.getFileName().toString().replace("--", "/"), revision));
        }
      }
    }
    models.sort(Comparator.comparing(CachedModel::id).thenComparing(CachedModel::revision));
    return List.copyOf(models);
  }

  /**
   * The cached revision named by {@code id} ({@code main} when it names none), if present.
   *
   * @throws dev.atelier.core.AtelierException.InvalidRequest when the id is malformed
   */
  public Optional<CachedModel> info(String id) {
    ModelId model = ModelId.parse(id);
    Path folder = folder(model);
    return Files.isDirectory(folder)
        ? Optional.of(describe(model.repo(), model.revision(), folder))
        : Optional.empty();
  }

  /**
   * Deletes one revision ({@code owner/name@revision}) or every revision ({@code owner/name}).
   *
   * @return true when something was deleted
   * @throws dev.atelier.core.AtelierException.InvalidRequest when the id is malformed or holds
   *     {@code ..}
   */
  public boolean rm(String id) {
    if (id.contains("..")) {
      throw new InvalidRequest("model", "model id must not contain '..' but was '" + id + "'");
    }
    ModelId model = ModelId.parse(id);
    Path target = id.contains("@") ? folder(model) : root.resolve(model.folderName());
    if (!target.normalize().startsWith(root) || target.equals(root)) {
      throw new InvalidRequest("model", "model id '" + id + "' points outside the model cache");
    }
    if (!Files.exists(target)) {
      return false;
    }
    try (Stream<Path> walk = Files.walk(target)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new ModelUnavailable("cannot delete " + target + " for " + id + ": " + e, e);
    }
    return true;
  }

  private ModelUnavailable offlineError(ModelId model, Path folder) {
    List<String> missing = new ArrayList<>();
    try {
      for (HubFile f : CacheManifest.read(folder)) {
        if (!Files.isRegularFile(folder.resolve(f.path()))) {
          missing.add(f.path());
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      missing.clear();
    }
    String what =
        missing.isEmpty()
            ? "it was never pulled (expected a complete folder at " + folder + ")"
            : "an earlier pull stopped before these files arrived: " + String.join(", ", missing);
    return new ModelUnavailable(
        "offline mode (set by "
            + client.config().offlineBy()
            + ") and repo "
            + model.repo()
            + " at revision "
            + model.revision()
            + " is not complete in the cache: "
            + what
            + "; pull it while online");
  }

  private static Path inside(Path folder, String repoPath) {
    Path target = folder.resolve(repoPath).normalize();
    if (!target.startsWith(folder)) {
      throw new ModelUnavailable("the Hub listed a file outside the model folder: " + repoPath);
    }
    return target;
  }

  private static CachedModel describe(String id, String revision, Path folder) {
    long size = 0;
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        size += Files.size(p);
      }
    } catch (IOException e) {
      throw new ModelUnavailable("cannot read the cached folder " + folder + ": " + e, e);
    }
    return new CachedModel(
        id, revision, folder, size, Files.exists(folder.resolve(COMPLETE_MARKER)));
  }

  private static List<Path> children(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new ModelUnavailable("cannot list the model cache at " + dir + ": " + e, e);
    }
  }

  private static String summary(List<HubFile> files) {
    if (files.isEmpty()) {
      return "no files at all";
    }
    List<String> names = files.stream().map(HubFile::path).limit(8).toList();
    return String.join(", ", names)
        + (files.size() > 8 ? " and " + (files.size() - 8) + " more" : "");
  }
}
