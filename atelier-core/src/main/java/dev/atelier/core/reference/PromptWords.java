package dev.atelier.core.reference;

import dev.atelier.core.edit.Lexicon;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The words {@link ReferenceChecks} looks for in a prompt: rendering-style words, and the prompt's
 * main subject as an English phrase for a grounder. Both come from the bundled {@link Lexicon}.
 */
final class PromptWords {

  /**
   * Lexicon styles that describe how a thing is designed rather than how the image is rendered ("a
   * modern sofa", "an industrial loft"); they do not compete with a style reference.
   */
  static final Set<String> DESIGN_STYLES =
      Set.of("modern", "scandinavian", "industrial", "vintage carved", "baroque", "neon");

  /** Kinds whose first mention is taken as the prompt's main subject. */
  private static final Set<Lexicon.Kind> SUBJECT_KINDS =
      EnumSet.of(
          Lexicon.Kind.OBJECT,
          Lexicon.Kind.FURNITURE,
          Lexicon.Kind.CLOTHING,
          Lexicon.Kind.PERSON,
          Lexicon.Kind.ANIMAL,
          Lexicon.Kind.VEHICLE,
          Lexicon.Kind.FOOD);

  /** Words for the picture being made, not for what it shows ("a poster of this sneaker"). */
  private static final Set<String> MEDIA =
      Set.of("poster", "logo", "photo", "painting", "frame", "sign");

  private static final int LONGEST_CHINESE = 6;
  private static final Pattern ENGLISH_WORD = Pattern.compile("[A-Za-z]+(?:-[A-Za-z]+)*");
  private static final Pattern STYLES = stylePattern();

  private PromptWords() {}

  /**
   * The rendering-style words in a prompt as written ("watercolor", "动漫"), in order, each once; of
   * overlapping words the longer is kept ("watercolor painting", not "watercolor").
   */
  static List<String> styleWords(String prompt) {
    List<String> found = new ArrayList<>();
    Matcher m = STYLES.matcher(prompt);
    while (m.find()) {
      String w = m.group();
      if (found.stream().noneMatch(f -> f.equalsIgnoreCase(w))) {
        found.add(w);
      }
    }
    return found;
  }

  /**
   * The English name of the first thing a prompt mentions (an object, person, animal, vehicle,
   * food, garment or piece of furniture), if the lexicon knows one.
   */
  static Optional<String> mainSubject(String prompt) {
    Lexicon lexicon = Lexicon.bundled();
    List<String> words = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    Matcher m = ENGLISH_WORD.matcher(prompt);
    while (m.find()) {
      words.add(m.group().toLowerCase(Locale.ROOT));
      starts.add(m.start());
    }
    int wordIndex = 0;
    for (int i = 0; i < prompt.length(); i++) {
      if (wordIndex < starts.size() && starts.get(wordIndex) == i) {
        for (int n = Math.min(3, words.size() - wordIndex); n >= 1; n--) {
          Optional<String> hit =
              subject(lexicon, String.join(" ", words.subList(wordIndex, wordIndex + n)));
          if (hit.isPresent()) {
            return hit;
          }
        }
        wordIndex++;
      } else if (isHan(prompt.codePointAt(i))) {
        for (int len = Math.min(LONGEST_CHINESE, prompt.length() - i); len >= 1; len--) {
          Optional<String> hit = subject(lexicon, prompt.substring(i, i + len));
          if (hit.isPresent()) {
            return hit;
          }
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> subject(Lexicon lexicon, String term) {
    return lexicon
        .lookup(term)
        .filter(e -> SUBJECT_KINDS.contains(e.kind()) && !MEDIA.contains(e.en()))
        .map(Lexicon.Entry::en);
  }

  /** Every rendering style's terms and aliases, longest first; English ones between word edges. */
  private static Pattern stylePattern() {
    List<String> terms = new ArrayList<>();
    for (Lexicon.Entry e : Lexicon.bundled().entries()) {
      if (e.kind() == Lexicon.Kind.STYLE && !DESIGN_STYLES.contains(e.en())) {
        terms.add(e.zh());
        terms.add(e.en());
        terms.addAll(e.aliases());
      }
    }
    String alternation =
        terms.stream()
            .map(t -> t.toLowerCase(Locale.ROOT))
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(t -> t))
            .map(PromptWords::termRegex)
            .collect(Collectors.joining("|"));
    return Pattern.compile(alternation, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
  }

  private static String termRegex(String term) {
    if (term.codePoints().anyMatch(PromptWords::isHan)) {
      return Pattern.quote(term);
    }
    String body = Pattern.quote(term).replace("-", "\\E[\\s-]*\\Q").replace(" ", "\\E[\\s-]+\\Q");
    return "(?<![A-Za-z0-9])" + body + "(?![A-Za-z0-9])";
  }

  private static boolean isHan(int cp) {
    return Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN;
  }
}
