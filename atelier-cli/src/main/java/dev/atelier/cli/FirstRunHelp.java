package dev.atelier.cli;

import dev.atelier.core.AtelierException.ModelUnavailable;
import dev.atelier.engine.onnx.hub.HubConfig;
import dev.atelier.engine.onnx.hub.ModelCache;
import dev.atelier.engine.onnx.hub.ModelId;
import dev.atelier.engine.onnx.hub.ProgressFormatter;
import dev.atelier.engine.onnx.hub.RegistryEntry;
import java.io.IOException;
import java.util.Optional;

/**
 * The one screen a command prints when its model is not in the cache and cannot be pulled: what was
 * tried, how big the download is, and the ways on (wait for the pull, a local folder, a Hub mirror,
 * the demo models).
 *
 * <p>A first run on a machine without the Hub used to end in one line about an unreachable host;
 * this says what the user can do next instead.
 */
final class FirstRunHelp {

  private FirstRunHelp() {}

  /**
   * The screen for a failed pull of {@code model}, as a {@link ModelUnavailable} (exit code 3).
   *
   * @param name the model as the user named it (or the registry default's alias)
   * @param entry the registry entry when {@code name} is an alias
   * @param byDefault whether no model was named at all
   */
  static ModelUnavailable screen(
      String name,
      Optional<RegistryEntry> entry,
      boolean byDefault,
      ModelId model,
      ModelCache cache,
      HubConfig hub,
      ModelUnavailable error) {
    StringBuilder s = new StringBuilder();
    boolean empty = cache.list().isEmpty();
    if (hub.offline()) {
      s.append("no usable model: offline mode (set by ")
          .append(hub.offlineBy())
          .append(") and ")
          .append(empty ? "the model cache is empty" : "the cache has no complete copy of it")
          .append(".\n\n");
    } else {
      s.append("no usable model: ").append(model.repo()).append(" could not be pulled.\n\n");
    }
    String what =
        entry.isPresent()
            ? entry.get().name() + " = Hugging Face repo " + model
            : "Hugging Face repo " + model;
    row(s, "tried", what + (byDefault ? " (the default model)" : ""));
    row(
        s,
        "cache",
        cache.folder(model) + (empty ? " (the cache at " + cache.root() + " is empty)" : ""));
    if (hub.offline()) {
      // The headline already says offline; keep what the cache found (missing files, if any).
      String message = error.getMessage();
      String marker = "is not complete in the cache: ";
      int at = message.indexOf(marker);
      row(s, "error", at < 0 ? message : message.substring(at + marker.length()));
    } else {
      row(s, "error", describe(hub, error));
    }
    row(s, "download", size(cache, model, entry));
    s.append("\nWays on:\n");
    if (hub.offline()) {
      bullet(
          s,
          "go online: "
              + (hub.offlineBy().equals("--offline")
                  ? "drop --offline"
                  : "unset " + hub.offlineBy().replaceFirst("=.*", ""))
              + " and run this again; the pull shows a progress bar and resumes where it stopped.");
    } else {
      bullet(
          s,
          "wait for the pull: run this again once "
              + hub.endpoint()
              + " answers; a progress bar shows the download, which resumes where it stopped"
              + " (or pull first: atelier models pull "
              + name
              + ").");
    }
    bullet(
        s,
        "--model PATH: a local Stable Diffusion ONNX folder in the diffusers layout"
            + " (model_index.json, unet/, text_encoder/, tokenizer/, vae_decoder/).");
    if (!hub.offline()) {
      bullet(
          s,
          "HF_ENDPOINT=https://MIRROR: pull from a Hub mirror instead of " + hub.endpoint() + ".");
    }
    bullet(
        s,
        "--demo: try the studio, sessions, local edits and every endpoint now with the tiny"
            + " built-in models (random weights: the images are noise), no network needed.");
    return new ModelUnavailable(s.toString().stripTrailing(), error);
  }

  private static String describe(HubConfig hub, ModelUnavailable error) {
    if (error.getCause() instanceof IOException io) {
      String text = io.getMessage();
      return "cannot reach the Hub at "
          + hub.endpoint()
          + " ("
          + io.getClass().getName()
          + (text == null || text.isBlank() ? "" : ": " + text)
          + ")";
    }
    return error.getMessage();
  }

  private static String size(ModelCache cache, ModelId model, Optional<RegistryEntry> entry) {
    Optional<ModelCache.Listed> listed = cache.listed(model);
    if (listed.isPresent()) {
      ModelCache.Listed l = listed.get();
      String total = ProgressFormatter.bytes(l.totalBytes());
      return l.presentBytes() > 0
          ? total
              + " (the files the Hub listed; "
              + ProgressFormatter.bytes(l.presentBytes())
              + " already here, the pull resumes from there)"
          : total + " (the files the Hub listed)";
    }
    if (entry.isPresent() && !entry.get().size().isBlank()) {
      return entry.get().size()
          + " (the registry's estimate; the Hub has not listed the files yet)";
    }
    return "unknown until the Hub lists the repo's files";
  }

  private static void row(StringBuilder s, String label, String value) {
    s.append("  ").append(label).append(':').append(" ".repeat(10 - label.length())).append(value);
    s.append('\n');
  }

  /** A list item wrapped at {@link #WIDTH} columns, continuation lines indented under its text. */
  private static void bullet(StringBuilder s, String text) {
    StringBuilder line = new StringBuilder("  -");
    for (String word : text.split(" ")) {
      if (line.length() + 1 + word.length() > WIDTH && line.length() > 4) {
        s.append(line).append('\n');
        line = new StringBuilder("   ");
      }
      line.append(' ').append(word);
    }
    s.append(line).append('\n');
  }

  private static final int WIDTH = 100;
}
