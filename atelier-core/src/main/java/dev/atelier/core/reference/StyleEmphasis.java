package dev.atelier.core.reference;

import dev.atelier.core.Reference;
import dev.atelier.core.Scripts;
import java.util.List;

/**
 * The practitioner guide's remedy for style dilution ("the model may only partially adopt the
 * reference style"): say it in the prompt, in the prompt's language, "strictly follow the style of
 * the reference image" / "严格参考上传图片的风格".
 */
public final class StyleEmphasis {
  /** The English sentence added. */
  public static final String ENGLISH = "Strictly follow the style of the reference image.";

  /** The Chinese sentence added (the guide's wording). */
  public static final String CHINESE = "严格参考上传图片的风格。";

  private StyleEmphasis() {}

  /**
   * The prompt with the emphasis appended when some reference has the style role and a weight above
   * 0, unless the prompt already says it; otherwise the prompt unchanged.
   */
  public static String apply(String prompt, List<Reference> references) {
    boolean style =
        references.stream().anyMatch(r -> r.role() == Reference.Role.STYLE && r.weight() > 0);
    if (!style) {
      return prompt;
    }
    boolean chinese = Scripts.isChinese(prompt);
    String sentence = chinese ? CHINESE : ENGLISH;
    String core = sentence.substring(0, sentence.length() - 1);
    if (prompt.contains(core) || (!chinese && prompt.toLowerCase().contains(core.toLowerCase()))) {
      return prompt;
    }
    String trimmed = prompt.strip();
    if (chinese) {
      boolean ends = trimmed.endsWith("。") || trimmed.endsWith("！") || trimmed.endsWith("，");
      return trimmed + (ends ? "" : "。") + sentence;
    }
    boolean ends = trimmed.endsWith(".") || trimmed.endsWith("!") || trimmed.endsWith("?");
    return trimmed + (ends ? " " : ". ") + sentence;
  }
}
