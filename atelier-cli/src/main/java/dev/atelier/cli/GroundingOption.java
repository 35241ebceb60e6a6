package dev.atelier.cli;

import dev.atelier.core.edit.Grounder;
import dev.atelier.core.edit.LocalEditor;
import dev.atelier.engine.onnx.grounding.ClipSegGrounder;
import dev.atelier.engine.onnx.model.OrtSettings;
import java.nio.file.Path;

/** The optional grounding model of a command: a CLIPSeg folder, or none. */
record GroundingOption(Grounder grounder, ClipSegGrounder owned) implements AutoCloseable {

  /** Loads {@code path}, else {@code $ATELIER_GROUNDING_MODEL}, else no grounding. */
  static GroundingOption load(Path path, OrtSettings settings) {
    Path p = path;
    if (p == null) {
      String env = System.getenv("ATELIER_GROUNDING_MODEL");
      if (env != null && !env.isBlank()) {
        p = Path.of(env);
      }
    }
    if (p == null) {
      return new GroundingOption(LocalEditor.NO_GROUNDER, null);
    }
    ClipSegGrounder g = ClipSegGrounder.load(p, settings);
    return new GroundingOption(g, g);
  }

  @Override
  public void close() {
    if (owned != null) {
      owned.close();
    }
  }
}
