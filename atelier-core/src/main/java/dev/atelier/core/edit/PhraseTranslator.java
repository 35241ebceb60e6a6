package dev.atelier.core.edit;

import dev.atelier.core.edit.Lexicon.Entry;
import dev.atelier.core.edit.Lexicon.Kind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a target, value or keep phrase in English and says what kinds of words it holds.
 *
 * <p>Chinese goes through the lexicon by longest match, with "X上的Y" read as "Y on the X" and
 * "模特左手拿的Y" as "Y in the model's left hand"; adjacent colours join ("橙紫色" is "orange-purple").
 * Characters the lexicon lacks are first offered, with the rest of their segment, to the {@link
 * Translator}; if it cannot help they stay in the output verbatim and are reported as misses.
 * English is lowercased, loses its article and has plural nouns the lexicon knows made singular.
 */
final class PhraseTranslator {

  /** A rendered phrase. */
  record Rendered(String en, List<String> misses, Set<Kind> kinds, boolean headIsThing) {
    Rendered {
      misses = List.copyOf(misses);
      kinds = kinds.isEmpty() ? Set.of() : Set.copyOf(kinds);
    }
  }

  private static final Pattern QUANTIFIER =
      Pattern.compile(
          "^(?:[一二两三四五六七八九十几数]|\\d+)(?:个|杯|盆|只|张|幅|把|件|条|朵|束|片|块|台|辆|本|棵|株|位|名"
              + "|头|匹|盏|扇|双|套|些|点|瓶|碗|盘|群|座|栋|顶|副)|^(?:一些|一点|这个|那个|这|那)");
  private static final Pattern HOLDING =
      Pattern.compile("^(.+?)(左|右)?手(?:里|中|上)?(?:拿|握|持|举|拿着|握着|举着)?着?的(.+)$");
  private static final Pattern LOCATIVE = Pattern.compile("^(.+?)(上|里|中|内|旁边|旁|边上|前面|后面|下面|下)$");
  private static final String SKIP = "的着了地之色 \t、·“”\"'‘’「」《》()（）";

  private final Lexicon lexicon;
  private final Translator translator;

  PhraseTranslator(Lexicon lexicon, Translator translator) {
    this.lexicon = lexicon;
    this.translator = translator;
  }

  /** {@code phrase} in English; an empty phrase renders as empty. */
  Rendered render(String phrase, boolean chinese) {
    String p = phrase.strip();
    if (p.isEmpty()) {
      return new Rendered("", List.of(), Set.of(), false);
    }
    return chinese && PlannerText.hasHan(p) ? chinese(p) : english(p);
  }

  private Rendered english(String phrase) {
    List<String> words = new ArrayList<>();
    for (String w : PlannerText.stripArticle(phrase).toLowerCase(Locale.ROOT).split("\\s+")) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    Set<Kind> kinds = EnumSet.noneOf(Kind.class);
    boolean headIsThing = false;
    List<String> out = new ArrayList<>();
    int[] n = new int[1];
    for (int i = 0; i < words.size(); ) {
      Optional<Entry> e = lexicon.longestEnglishAt(words, i, n);
      if (e.isPresent()) {
        kinds.add(e.get().kind());
        headIsThing = e.get().kind().isThing();
        String written = String.join(" ", words.subList(i, i + n[0]));
        // Only plurals are normalised: a user's "couch" stays "couch", "vases" becomes "vase".
        boolean plural =
            !written.equals(e.get().en())
                && !e.get().aliases().contains(written)
                && Lexicon.singulars(written).contains(e.get().en());
        out.add(plural ? e.get().en() : written);
        i += n[0];
      } else {
        out.add(words.get(i));
        i++;
      }
    }
    return new Rendered(String.join(" ", out), List.of(), kinds, headIsThing);
  }

  private Rendered chinese(String phrase) {
    String p = QUANTIFIER.matcher(phrase).replaceFirst("");
    Matcher hold = HOLDING.matcher(p);
    if (hold.matches()) {
      Rendered owner = segment(hold.group(1));
      Rendered held = segment(hold.group(3));
      String hand =
          (hold.group(2) == null ? "" : hold.group(2).equals("左") ? "left " : "right ") + "hand";
      return combine(held.en() + " in the " + owner.en() + "'s " + hand, held, owner);
    }
    int de = p.lastIndexOf('的');
    if (de > 0 && de < p.length() - 1) {
      String modifier = p.substring(0, de);
      Rendered head = segment(p.substring(de + 1));
      Matcher loc = LOCATIVE.matcher(modifier);
      if (loc.matches()) {
        Rendered place = segment(loc.group(1));
        return combine(
            head.en() + " " + preposition(loc.group(2)) + " the " + place.en(), head, place);
      }
      Rendered mod = segment(modifier);
      // "男人的衬衫" is the man's shirt: a person or animal before 的 owns what follows.
      boolean owner =
          mod.headIsThing()
              && (mod.kinds().contains(Kind.PERSON) || mod.kinds().contains(Kind.ANIMAL));
      return combine(mod.en() + (owner ? "'s " : " ") + head.en(), head, mod);
    }
    return segment(p);
  }

  private static String preposition(String locative) {
    return switch (locative) {
      case "上", "边上" -> "on";
      case "旁", "旁边" -> "next to";
      case "前面" -> "in front of";
      case "后面" -> "behind";
      case "下", "下面" -> "under";
      default -> "in";
    };
  }

  private Rendered combine(String en, Rendered head, Rendered other) {
    List<String> misses = new ArrayList<>(other.misses());
    misses.addAll(head.misses());
    Set<Kind> kinds = EnumSet.noneOf(Kind.class);
    kinds.addAll(head.kinds());
    kinds.addAll(other.kinds());
    return new Rendered(en.strip().replaceAll("\\s+", " "), misses, kinds, head.headIsThing());
  }

  /** Longest-match segmentation of a Chinese phrase without structure words. */
  private Rendered segment(String phrase) {
    List<String> out = new ArrayList<>();
    List<String> misses = new ArrayList<>();
    Set<Kind> kinds = EnumSet.noneOf(Kind.class);
    boolean headIsThing = false;
    Kind previous = null;
    StringBuilder miss = new StringBuilder();
    int[] len = new int[1];
    for (int i = 0; i < phrase.length(); ) {
      char c = phrase.charAt(i);
      Optional<Entry> e = lexicon.longestChineseAt(phrase, i, len);
      if (e.isPresent()) {
        flushMiss(miss, out, misses);
        Entry entry = e.get();
        if (entry.kind() == Kind.COLOR && previous == Kind.COLOR && !out.isEmpty()) {
          out.set(out.size() - 1, out.get(out.size() - 1) + "-" + entry.en());
        } else {
          out.add(entry.en());
        }
        kinds.add(entry.kind());
        headIsThing = entry.kind().isThing();
        previous = entry.kind();
        i += len[0];
      } else if (SKIP.indexOf(c) >= 0) {
        i++;
      } else if (c < 0x3000 && Character.isLetterOrDigit(c)) {
        flushMiss(miss, out, misses);
        int end = i;
        while (end < phrase.length()
            && phrase.charAt(end) < 0x3000
            && (Character.isLetterOrDigit(phrase.charAt(end))
                || "&-'.".indexOf(phrase.charAt(end)) >= 0)) {
          end++;
        }
        out.add(phrase.substring(i, end));
        previous = null;
        i = end;
      } else {
        miss.append(c);
        previous = null;
        i++;
      }
    }
    flushMiss(miss, out, misses);
    if (!misses.isEmpty()) {
      Optional<String> translated = translator.toEnglish(phrase);
      if (translated.isPresent() && !translated.get().isBlank()) {
        return english(translated.get());
      }
    }
    return new Rendered(String.join(" ", out), misses, kinds, headIsThing);
  }

  private static void flushMiss(StringBuilder miss, List<String> out, List<String> misses) {
    if (!miss.isEmpty()) {
      out.add(miss.toString());
      misses.add(miss.toString());
      miss.setLength(0);
    }
  }
}
