package dev.atelier.engine.onnx.hub.internal;

import java.util.Locale;

/**
 * Decides which repository files a pull downloads: what the ONNX engine reads, nothing else.
 *
 * <p>Hub repositories often carry PyTorch, Flax and TensorFlow weights beside the ONNX export;
 * those are many gigabytes the engine never opens, so only ONNX graphs, their external data,
 * configs and tokenizer files are taken.
 */
public final class FileSelection {

  private FileSelection() {}

  /** True when the file at {@code path} (repository path, {@code /} separators) is needed. */
  public static boolean wanted(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    String name = lower.substring(lower.lastIndexOf('/') + 1);
    if (name.startsWith(".")) {
      return false; // .gitattributes and friends
    }
    if (name.endsWith(".onnx")
        || name.endsWith(".onnx_data")
        || name.endsWith(".onnx.data")
        || name.equals("weights.pb")
        || name.endsWith(".json")
        || name.endsWith(".txt")) {
      return true;
    }
    // SentencePiece and other tokenizer models ship as tokenizer.model / spiece.model.
    boolean inTokenizerFolder = lower.contains("tokenizer") && lower.contains("/");
    return name.endsWith(".model")
        && (name.startsWith("tokenizer") || name.startsWith("spiece") || inTokenizerFolder);
  }
}
