package dev.atelier.core.edit;

import dev.atelier.core.edit.Change.Verb;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one English clause as a {@link Change}: "add X on Y", "remove X", "replace X with Y",
 * "change X [from A] to B", "make X B", "brighten X".
 *
 * <p>"make X B" has no word between target and value, so the split falls before the first word that
 * starts a value: an article, or a colour, material, style, lighting or modifier word in the {@link
 * Lexicon} that does not itself describe the target ("make the dark sofa red").
 */
final class EnglishGrammar {

  private static final int FLAGS = Pattern.CASE_INSENSITIVE;
  private static final Pattern REMOVE =
      Pattern.compile(
          "^(?:remove|delete|erase|get\\s+rid\\s+of|take\\s+out|take\\s+away|eliminate|clear\\s+away"
              + "|cut\\s+out)\\s+(.{1,120}?)(?:\\s+from\\s+(?:the\\s+)?(?:image|picture|photo|scene"
              + "|frame|background))?$",
          FLAGS);
  private static final Pattern ADD =
      Pattern.compile(
          "^(?:add|put|place|insert|draw|include)\\s+(.{1,120}?)(?:\\s+(?:on|onto|to|in|into|at|inside"
              + "|beside|next\\s+to|behind|under|above|in\\s+front\\s+of|near)\\s+(.{1,120}))?$",
          FLAGS);
  private static final Pattern REPLACE =
      Pattern.compile(
          "^(?:replace|swap|substitute|exchange)\\s+(.{1,120}?)\\s+(?:with|for|by)\\s+(.{1,120})$",
          FLAGS);
  private static final Pattern CHANGE =
      Pattern.compile(
          "^(?:change|turn|switch|convert|transform|recolou?r|repaint|set|update|alter|edit)"
              + "\\s+(.{1,120}?)(?:\\s+from\\s+(.{1,80}?))?\\s+(?:to|into|so\\s+(?:that\\s+)?it"
              + "\\s+(?:reads|says))\\s+(.{1,120})$",
          FLAGS);
  private static final Pattern MAKE =
      Pattern.compile(
          "^(?:make|paint|colou?r|recolou?r|dye|render|tint|give|redo)\\s+(.{1,200})$", FLAGS);
  private static final Pattern ADJUST =
      Pattern.compile(
          "^(brighten|darken|dim|warm\\s+up|cool\\s+down|soften)\\s+(.{1,120}?)(?:\\s+a\\s+bit"
              + "|\\s+slightly|\\s+a\\s+little)?$",
          FLAGS);

  private final Lexicon lexicon;

  EnglishGrammar(Lexicon lexicon) {
    this.lexicon = lexicon;
  }

  /** The change {@code clause} asks for, or empty when it is not a change the grammar knows. */
  Optional<Change> parse(String clause) {
    String c = clause.strip().replaceAll("\\s+", " ").replaceFirst("[.!]+$", "");
    Matcher m = REMOVE.matcher(c);
    if (m.matches()) {
      return Optional.of(new Change(Verb.REMOVE, m.group(1), "", ""));
    }
    m = ADD.matcher(c);
    if (m.matches()) {
      return Optional.of(
          new Change(Verb.ADD, m.group(2) == null ? "" : m.group(2), "", m.group(1)));
    }
    m = REPLACE.matcher(c);
    if (m.matches()) {
      return Optional.of(new Change(Verb.REPLACE, m.group(1), "", m.group(2)));
    }
    m = CHANGE.matcher(c);
    if (m.matches()) {
      return Optional.of(
          new Change(Verb.SET, m.group(1), m.group(2) == null ? "" : m.group(2), m.group(3)));
    }
    m = ADJUST.matcher(c);
    if (m.matches()) {
      return Optional.of(new Change(Verb.SET, m.group(2), "", comparative(m.group(1))));
    }
    m = MAKE.matcher(c);
    if (m.matches()) {
      return splitMake(m.group(1));
    }
    return Optional.empty();
  }

  private static String comparative(String verb) {
    return switch (verb.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ")) {
      case "brighten" -> "brighter";
      case "darken" -> "darker";
      case "dim" -> "dimmer";
      case "warm up" -> "warmer";
      case "cool down" -> "cooler";
      default -> "softer";
    };
  }

  private Optional<Change> splitMake(String rest) {
    List<String> words = Arrays.asList(rest.split(" "));
    for (int i = 1; i < words.size(); i++) {
      List<String> head = words.subList(0, i);
      boolean onlyArticles =
          head.stream()
              .allMatch(w -> w.matches("(?i)the|a|an|this|that|its|his|her|their|whole|entire"));
      if (onlyArticles || describesTarget(words.get(i - 1))) {
        continue;
      }
      String next = words.get(i);
      if (next.matches("(?i)a|an|more|less|look|into|like") || isValueAt(words, i)) {
        String value =
            String.join(" ", words.subList(i, words.size()))
                .replaceFirst("(?i)^(?:look\\s+like\\s+|look\\s+|into\\s+|like\\s+)", "");
        return Optional.of(new Change(Verb.SET, String.join(" ", head), "", value));
      }
    }
    return Optional.empty();
  }

  /** Whether a word before the split point is an adjective of the target ("the leather sofa"). */
  private boolean describesTarget(String word) {
    return lexicon
        .lookup(word.toLowerCase(Locale.ROOT))
        .map(
            e ->
                e.kind() == Lexicon.Kind.COLOR
                    || e.kind() == Lexicon.Kind.MATERIAL
                    || e.kind() == Lexicon.Kind.MODIFIER)
        .orElse(false);
  }

  private boolean isValueAt(List<String> words, int at) {
    List<String> lower = words.stream().map(w -> w.toLowerCase(Locale.ROOT)).toList();
    int[] n = new int[1];
    return lexicon.longestEnglishAt(lower, at, n).map(e -> !e.kind().isThing()).orElse(false)
        || isValueWord(words.get(at));
  }

  private boolean isValueWord(String word) {
    String w = word.toLowerCase(Locale.ROOT).replaceAll("[^a-z-]", "");
    if (w.endsWith("er") && lexicon.lookup(w).isEmpty()) {
      // Comparatives the lexicon lacks ("softer", "cosier") still start a value.
      return w.length() > 4 && lexicon.lookup(w.substring(0, w.length() - 2)).isPresent();
    }
    return lexicon.lookup(w).map(e -> !e.kind().isThing()).orElse(false);
  }
}
