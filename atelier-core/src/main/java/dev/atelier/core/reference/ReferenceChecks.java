package dev.atelier.core.reference;

import dev.atelier.core.AtelierException;
import dev.atelier.core.Reference;
import dev.atelier.core.Scripts;
import dev.atelier.core.edit.Grounder;
import dev.atelier.core.edit.GroundingQuery;
import dev.atelier.core.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * Warnings about a request's reference images, from the practitioner guide's checklist: use a
 * high-resolution reference, let the main subject dominate the frame, prefer a single reference,
 * and (pitfall 4) leave out style words that compete with a style reference.
 *
 * <p>The warnings are sentences for the person who wrote the prompt, in Chinese when {@link
 * Scripts#isChinese} says the prompt is, otherwise in English. They never refuse a request. A
 * reference is numbered by its position in the request, from 1; references of weight 0 take no
 * part, as they guide nothing. The order is: resolution per reference, several style references,
 * small subject per reference, conflicting style words.
 *
 * <p>Style words are the rendering styles of the bundled lexicon ("watercolor", "oil painting",
 * "photorealistic", "anime", "pixel art", "3D render", "水彩", "油画", "写实", "动漫", "像素风" and the like),
 * not design styles such as "modern" or "industrial". A negated word ("not anime") still counts.
 */
public final class ReferenceChecks {

  /** Shortest short side, in pixels, below which a reference is too small to copy details from. */
  public static final int MIN_SHORT_SIDE = 512;

  /** Smallest share of the frame a subject, character or object reference's subject should fill. */
  public static final double MIN_SUBJECT_COVERAGE = 0.20;

  /** What is grounded in a character reference. */
  static final String PERSON_PHRASE = "person";

  /** What is grounded when the prompt names no subject the lexicon knows. */
  static final String FALLBACK_PHRASE = "the main subject";

  private ReferenceChecks() {}

  /**
   * The warnings that need no model: resolution, several style references, style words.
   *
   * @param prompt the request's prompt
   * @param references the request's references, in request order
   * @return the warnings, empty for a clean request
   */
  public static List<String> warnings(String prompt, List<Reference> references) {
    return check(prompt, references, null);
  }

  /**
   * All warnings, the subject's share of the frame included, measured with a grounder.
   *
   * <p>For each subject, character or object reference the grounder locates "person" (character) or
   * the prompt's main subject in English (subject and object; "the main subject" when the lexicon
   * finds none), with no dilation or feathering and the default threshold; the coverage is the
   * mask's mean. When the grounder cannot answer (it throws {@link
   * AtelierException.InvalidRequest}, as {@code LocalEditor.NO_GROUNDER} and a phrase that grounds
   * to nothing do, or {@link AtelierException.ModelUnavailable}) that reference is not checked.
   *
   * @param prompt the request's prompt
   * @param references the request's references, in request order
   * @param grounder finds the subject in each reference
   * @return the warnings, empty for a clean request
   */
  public static List<String> warnings(
      String prompt, List<Reference> references, Grounder grounder) {
    return check(prompt, references, Objects.requireNonNull(grounder, "grounder"));
  }

  private static List<String> check(String prompt, List<Reference> references, Grounder grounder) {
    Objects.requireNonNull(prompt, "prompt");
    boolean zh = Scripts.isChinese(prompt);
    List<String> out = new ArrayList<>();
    List<Integer> styles = new ArrayList<>();
    for (int i = 0; i < references.size(); i++) {
      Reference r = references.get(i);
      if (r.weight() == 0) {
        continue;
      }
      RgbImage img = r.image();
      if (Math.min(img.width(), img.height()) < MIN_SHORT_SIDE) {
        out.add(lowResolution(zh, i + 1, img.width(), img.height()));
      }
      if (r.role() == Reference.Role.STYLE) {
        styles.add(i + 1);
      }
    }
    if (styles.size() > 1) {
      out.add(severalStyles(zh, styles));
    }
    if (grounder != null) {
      for (int i = 0; i < references.size(); i++) {
        Reference r = references.get(i);
        if (r.weight() > 0 && r.role() != Reference.Role.STYLE) {
          String phrase =
              r.role() == Reference.Role.CHARACTER
                  ? PERSON_PHRASE
                  : PromptWords.mainSubject(prompt).orElse(FALLBACK_PHRASE);
          OptionalDouble coverage = coverage(grounder, r.image(), phrase);
          if (coverage.isPresent() && coverage.getAsDouble() < MIN_SUBJECT_COVERAGE) {
            out.add(smallSubject(zh, i + 1, phrase, coverage.getAsDouble()));
          }
        }
      }
    }
    if (!styles.isEmpty()) {
      List<String> words = PromptWords.styleWords(prompt);
      if (!words.isEmpty()) {
        out.add(conflictingStyles(zh, words));
      }
    }
    return List.copyOf(out);
  }

  /** The share of the image the phrase covers, or empty when the grounder cannot say. */
  private static OptionalDouble coverage(Grounder grounder, RgbImage image, String phrase) {
    GroundingQuery query =
        new GroundingQuery(phrase, List.of(), "", 0, 0, 0, GroundingQuery.DEFAULT_THRESHOLD);
    try {
      return OptionalDouble.of(grounder.locate(image, query).hard().coverage());
    } catch (AtelierException.InvalidRequest | AtelierException.ModelUnavailable e) {
      return OptionalDouble.empty();
    }
  }

  static String lowResolution(boolean zh, int n, int width, int height) {
    return zh
        ? "参考图%d为%dx%d，短边不足%d像素，细节将由模型猜测；请使用更高分辨率的图片。".formatted(n, width, height, MIN_SHORT_SIDE)
        : ("reference %d is %dx%d: under %d px on its short side, details will be guessed; use a"
                + " higher-resolution image.")
            .formatted(n, width, height, MIN_SHORT_SIDE);
  }

  static String severalStyles(boolean zh, List<Integer> numbers) {
    return zh
        ? "参考图" + list(numbers, "、", "和") + "都是风格参考：混用多张参考图会让模型混淆；请只保留一张风格参考图。"
        : "references "
            + list(numbers, ", ", " and ")
            + (numbers.size() == 2 ? " are both" : " are all")
            + " style references: mixing references confuses the model; keep the one"
            + " whose style matters most.";
  }

  static String smallSubject(boolean zh, int n, String phrase, double coverage) {
    int percent = (int) Math.floor(coverage * 100);
    int min = (int) Math.round(MIN_SUBJECT_COVERAGE * 100);
    boolean named = !phrase.equals(FALLBACK_PHRASE);
    return zh
        ? "参考图%d的主体%s只占画面的%d%%，不足%d%%，模型可能把背景当成要参考的内容；请裁剪到主体或使用简洁的背景。"
            .formatted(n, named ? "（" + phrase + "）" : "", percent, min)
        : ("reference %d's main subject%s covers %d%% of the frame: under %d%%, the model may"
                + " take the background for what to keep; crop to the subject or use a simple"
                + " background.")
            .formatted(n, named ? " (" + phrase + ")" : "", percent, min);
  }

  static String conflictingStyles(boolean zh, List<String> words) {
    return zh
        ? "提示词中的风格词（"
            + String.join("、", words)
            + "）与风格参考图冲突，会稀释参考图的风格；请删去这些词，并写明“"
            + StyleEmphasis.CHINESE.substring(0, StyleEmphasis.CHINESE.length() - 1)
            + "”。"
        : "the prompt names other styles ("
            + String.join(", ", words)
            + ") besides the style reference: conflicting style words dilute the reference"
            + " style; remove them and rely on \"strictly follow the style of the reference"
            + " image\".";
  }

  /** "1", "1 and 3", "1, 2 and 3". */
  private static String list(List<Integer> numbers, String comma, String and) {
    List<String> s = numbers.stream().map(String::valueOf).collect(Collectors.toList());
    if (s.size() == 1) {
      return s.get(0);
    }
    return String.join(comma, s.subList(0, s.size() - 1)) + and + s.get(s.size() - 1);
  }
}
