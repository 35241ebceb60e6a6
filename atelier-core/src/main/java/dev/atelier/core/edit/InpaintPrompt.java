package dev.atelier.core.edit;

/**
 * What the inpainting model is asked to paint inside the region: a short English description of the
 * result, not the instruction (diffusion models draw nouns and adjectives; "change X to Y, keep Z"
 * reads to them as a scene containing X, Y and Z).
 */
final class InpaintPrompt {
  private InpaintPrompt() {}

  /** The positive prompt for {@code plan}; falls back to the instruction when nothing is known. */
  static String positive(EditPlan plan, String instruction) {
    String target = plan.target().en();
    String to = plan.to();
    String p =
        switch (plan.operation()) {
          case RECOLOR, MATERIAL, RESTYLE -> join(to, target);
          case REPLACE, ADD -> to.isEmpty() ? target : to;
          case REMOVE -> "empty background, seamless continuation of the surroundings";
          case TEXT -> join(target, "with the text \"" + to + "\"");
          case RELIGHT -> join(target, to.isEmpty() ? "" : to + " lighting");
          case OTHER -> "";
        };
    return p.isBlank() ? instruction : p;
  }

  /** The negative prompt: for a removal, the removed object. */
  static String negative(EditPlan plan) {
    return plan.operation() == EditPlan.Operation.REMOVE ? plan.target().en() : "";
  }

  private static String join(String a, String b) {
    return (a + " " + b).trim();
  }
}
