package dev.atelier.core.edit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A bilingual (Chinese/English) word list of things that appear in images and the values edits set
 * on them: objects, clothing, body parts, animals, places in a scene, colours, materials, styles
 * and lighting.
 *
 * <p>The bundled list is {@code lexicon.tsv} beside this class: one entry a line with the columns
 * kind, Chinese, English and aliases ({@code |}-separated, Chinese or English); {@code #} starts a
 * comment. English lookups ignore case, a leading article and a plural {@code -s}/{@code
 * -es}/{@code -ies}, so "Vases" finds "vase".
 */
public final class Lexicon {

  /** What an entry names; the planner reads the new value's kinds to pick the operation. */
  public enum Kind {
    OBJECT,
    FURNITURE,
    CLOTHING,
    BODY,
    PERSON,
    ANIMAL,
    VEHICLE,
    FOOD,
    NATURE,
    ARCHITECTURE,
    PLACE,
    COLOR,
    MATERIAL,
    STYLE,
    LIGHTING,
    MODIFIER;

    /** Whether entries of this kind name a thing (an object, person, place...) not a value. */
    public boolean isThing() {
      return ordinal() <= PLACE.ordinal();
    }
  }

  /**
   * One lexicon entry.
   *
   * @param kind what the entry names
   * @param zh the Chinese term
   * @param en the English term, lowercase
   * @param aliases other spellings in either language
   */
  public record Entry(Kind kind, String zh, String en, List<String> aliases) {
    /**
     * Validates.
     *
     * @throws IllegalArgumentException when a term is blank
     */
    public Entry {
      Objects.requireNonNull(kind, "kind");
      if (zh.isBlank() || en.isBlank()) {
        throw new IllegalArgumentException(
            "an entry needs a Chinese and an English term but found '" + zh + "' / '" + en + "'");
      }
      aliases = List.copyOf(aliases);
    }
  }

  private static final String RESOURCE = "lexicon.tsv";
  private static volatile Lexicon bundled;

  private final List<Entry> entries;
  private final Map<String, Entry> byChinese = new HashMap<>();
  private final Map<String, Entry> byEnglish = new HashMap<>();
  private final int longestChinese;

  private Lexicon(List<Entry> entries) {
    this.entries = List.copyOf(entries);
    int longest = 1;
    for (Entry e : this.entries) {
      index(e.zh(), e);
      byEnglish.putIfAbsent(e.en(), e);
      for (String alias : e.aliases()) {
        index(alias, e);
      }
      longest = Math.max(longest, e.zh().length());
      for (String alias : e.aliases()) {
        longest = Math.max(longest, alias.length());
      }
    }
    this.longestChinese = longest;
  }

  private void index(String term, Entry e) {
    if (PlannerText.hasHan(term)) {
      byChinese.putIfAbsent(term, e);
    } else {
      byEnglish.putIfAbsent(term.toLowerCase(Locale.ROOT), e);
    }
  }

  /** The lexicon bundled with Atelier, loaded once. */
  public static Lexicon bundled() {
    Lexicon l = bundled;
    if (l == null) {
      try (InputStream in = Lexicon.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + RESOURCE + " beside Lexicon");
        }
        l = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      bundled = l;
    }
    return l;
  }

  /**
   * Reads a lexicon in the TSV format described on this class.
   *
   * @throws IllegalArgumentException naming the line when a line lacks columns or has an unknown
   *     kind
   */
  public static Lexicon parse(String tsv) {
    List<Entry> entries = new ArrayList<>();
    String[] lines = tsv.split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] cols = line.split("\t", -1);
      if (cols.length < 3) {
        throw new IllegalArgumentException(
            "lexicon line " + (i + 1) + " must have kind, zh, en[, aliases] but had: " + line);
      }
      Kind kind;
      try {
        kind = Kind.valueOf(cols[0].strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "lexicon line "
                + (i + 1)
                + " kind must be one of "
                + List.of(Kind.values())
                + " but was '"
                + cols[0]
                + "'",
            e);
      }
      List<String> aliases = new ArrayList<>();
      if (cols.length > 3 && !cols[3].isBlank()) {
        for (String alias : cols[3].split("\\|")) {
          if (!alias.isBlank()) {
            aliases.add(alias.strip());
          }
        }
      }
      entries.add(
          new Entry(kind, cols[1].strip(), cols[2].strip().toLowerCase(Locale.ROOT), aliases));
    }
    return new Lexicon(entries);
  }

  /** The number of entries (aliases not counted). */
  public int size() {
    return entries.size();
  }

  /** All entries in file order. */
  public List<Entry> entries() {
    return entries;
  }

  /**
   * The entry for a Chinese or English term. English ignores case, a leading article and a plural
   * ending.
   */
  public Optional<Entry> lookup(String term) {
    String t = term.strip();
    if (PlannerText.hasHan(t)) {
      return Optional.ofNullable(byChinese.get(t));
    }
    String lower =
        t.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").replaceFirst("^(?:the|a|an) ", "");
    Entry e = byEnglish.get(lower);
    if (e != null) {
      return Optional.of(e);
    }
    for (String singular : singulars(lower)) {
      e = byEnglish.get(singular);
      if (e != null) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** The English for a Chinese term, when the lexicon has exactly that term. */
  public Optional<String> english(String zh) {
    return Optional.ofNullable(byChinese.get(zh.strip())).map(Entry::en);
  }

  /** Candidate singular forms of an English word or phrase whose last word may be plural. */
  static List<String> singulars(String word) {
    List<String> out = new ArrayList<>(3);
    if (word.endsWith("ies") && word.length() > 4) {
      out.add(word.substring(0, word.length() - 3) + "y");
    }
    if (word.endsWith("ves") && word.length() > 4) {
      out.add(word.substring(0, word.length() - 3) + "f");
    }
    if (word.endsWith("es") && word.length() > 3) {
      out.add(word.substring(0, word.length() - 2));
    }
    if (word.endsWith("s") && !word.endsWith("ss") && word.length() > 2) {
      out.add(word.substring(0, word.length() - 1));
    }
    return out;
  }

  /** The entry whose Chinese term (or alias) is the longest prefix of {@code s} from {@code at}. */
  Optional<Entry> longestChineseAt(String s, int at, int[] matchedLength) {
    for (int len = Math.min(longestChinese, s.length() - at); len >= 1; len--) {
      Entry e = byChinese.get(s.substring(at, at + len));
      if (e != null) {
        matchedLength[0] = len;
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /**
   * The entry for the longest run of up to three English words starting at word {@code at}, with
   * the number of words matched in {@code matchedWords[0]}.
   */
  Optional<Entry> longestEnglishAt(List<String> words, int at, int[] matchedWords) {
    for (int n = Math.min(3, words.size() - at); n >= 1; n--) {
      Optional<Entry> e = lookup(String.join(" ", words.subList(at, at + n)));
      if (e.isPresent()) {
        matchedWords[0] = n;
        return e;
      }
    }
    return Optional.empty();
  }
}
