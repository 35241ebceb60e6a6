package dev.atelier.core.session;

import dev.atelier.core.edit.EditPlan;
import dev.atelier.core.edit.EditPlan.Attribute;
import dev.atelier.core.edit.EditPlan.Operation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a prompt with one edit's plan, as the guide merges rounds into a restart prompt: a
 * from-&gt;to that names something the prompt already describes replaces that description ("a light
 * grey sofa" + "change the sofa to deep emerald green" -&gt; "a deep emerald green sofa"; "浅灰色沙发" +
 * "把沙发颜色从浅灰色改为深宝石绿" -&gt; "深宝石绿沙发"), and otherwise the edit becomes a descriptive clause ("make the
 * lamp brighter" -&gt; "with a brighter lamp").
 *
 * <p>Only the noun phrase right before the object is touched: its modifiers of the changed kind
 * (colour words for a colour change, and so on), the old value when the instruction names it, and
 * the value an earlier round of this merge put there. Instances remember those values, so use one
 * per merge. Edits with a position or an ordinal ("the left sofa", "左侧第二个花瓶") are never rewritten
 * in place: the prompt does not say which of several it describes.
 */
final class PromptRewriter {

  private static final Set<String> STOP_EN =
      Set.of(
          "a", "an", "the", "this", "that", "these", "those", "with", "on", "in", "of", "and", "or",
          "by", "at", "to", "for", "from", "near", "under", "beside", "behind", "next", "over",
          "its", "his", "her", "their", "is", "are", "has", "have", "one", "two", "three", "some");
  private static final Set<String> LIGHT_EN =
      Set.of(
          "bright",
          "brighter",
          "dim",
          "dimmer",
          "darker",
          "lighter",
          "warm",
          "warmer",
          "cool",
          "cooler",
          "glowing",
          "lit",
          "softer",
          "harsher");
  private static final Set<String> FINISH_EN =
      Set.of("matte", "matt", "glossy", "polished", "satin", "shiny", "brushed", "lacquered");
  private static final Pattern PAINTING =
      Pattern.compile(
          ".*\\b(?:painting|sketch|drawing|illustration|photo|photograph|render|poster|print"
              + "|cartoon|comic)$");
  private static final Pattern COLOR_ZH =
      Pattern.compile("(?:[浅深淡亮暗鲜纯]?[红绿蓝黄黑白灰紫橙粉棕银青金米褐]{1,2}色|浅色|深色)的?");
  private static final Pattern MATERIAL_ZH =
      Pattern.compile("(?:大理石|木质|木制|实木|原木|金属|玻璃|陶瓷|皮革|皮质|真皮|布艺|布料|磨砂|哑光|亚光|丝绒|塑料|石材)的?");
  private static final Pattern STYLE_ZH = Pattern.compile("[\\p{IsHan}]{1,6}风格的?");
  // Where a Chinese noun phrase starts: punctuation, 的, a preposition, or a number + classifier.
  private static final String STOP_ZH = "，,。；;、的在和与及上里中旁有是 ";
  private static final Pattern COUNT_ZH = Pattern.compile("[一二两三四五六七八九十几每][个张只间部盏把块件条颗杯盆幅位]$");

  /** The value this merge last wrote for an object, so a later round replaces it. */
  private final Map<String, String> written = new HashMap<>();

  /**
   * Rewrites, in place, the first of {@code texts} that describes the plan's target; false when
   * none does or the edit is not an attribute or object swap.
   *
   * @param zh whether to write Chinese (the base prompt is Chinese and so is the instruction)
   */
  boolean rewrite(List<String> texts, String changeClause, EditPlan plan, boolean zh) {
    if (plan.scope() == EditPlan.Scope.GLOBAL
        || plan.target().side() != EditPlan.Side.NONE
        || plan.target().ordinal() != 0) {
      return false;
    }
    if (zh) {
      Optional<ChangeTarget.ZhParts> parts = ChangeTarget.zhParts(changeClause);
      return parts.isPresent() && rewriteZh(texts, parts.get());
    }
    return rewriteEn(texts, plan);
  }

  /**
   * A clause that says what the edit produced, for a prompt that does not describe its target yet,
   * or empty when the edit cannot be put that way (the caller then keeps the instruction's own
   * words).
   */
  Optional<String> describe(String changeClause, EditPlan plan, boolean zh) {
    if (zh) {
      Optional<ChangeTarget.ZhParts> parts = ChangeTarget.zhParts(changeClause);
      if (parts.isEmpty()
          || parts.get().swaps()
          || plan.target().side() != EditPlan.Side.NONE
          || plan.target().ordinal() != 0
          || plan.scope() == EditPlan.Scope.GLOBAL) {
        return Optional.empty();
      }
      written.put(parts.get().object(), parts.get().to());
      return Optional.of(parts.get().to() + "的" + parts.get().object());
    }
    String to = plan.to();
    String object = plan.target().en();
    if (plan.scope() == EditPlan.Scope.GLOBAL) {
      if (to.isEmpty() || plan.operation() != Operation.RESTYLE) {
        return Optional.empty();
      }
      return Optional.of(
          PAINTING.matcher(to).matches()
              ? "as " + article(to) + " " + to
              : to.endsWith("style") ? "in " + to : "in " + to + " style");
    }
    if (plan.target().ordinal() != 0) {
      return Optional.empty();
    }
    String place =
        plan.target().side() == EditPlan.Side.NONE
                || object.contains(plan.target().side().name().toLowerCase(Locale.ROOT))
            ? ""
            : " on the " + plan.target().side().name().toLowerCase(Locale.ROOT);
    return switch (plan.operation()) {
      case RECOLOR, MATERIAL, RESTYLE, RELIGHT ->
          to.isEmpty() || object.isEmpty()
              ? Optional.empty()
              : remember(object, to, "with " + article(to) + " " + to + " " + object + place);
      case ADD -> {
        String side = plan.target().side().name().toLowerCase(Locale.ROOT);
        String where =
            plan.target().side() == EditPlan.Side.NONE
                ? ""
                : object.isEmpty() || object.equals("image")
                    ? " on the " + side
                    : " on the " + side + " of the " + object;
        yield to.isEmpty()
            ? Optional.empty()
            : Optional.of("with " + article(to) + " " + to + where);
      }
      case REPLACE ->
          to.isEmpty() ? Optional.empty() : Optional.of("with " + article(to) + " " + to + place);
      case REMOVE -> object.isEmpty() ? Optional.empty() : Optional.of("without the " + object);
      case TEXT, OTHER -> Optional.empty();
    };
  }

  private Optional<String> remember(String object, String value, String clause) {
    written.put(object.toLowerCase(Locale.ROOT), value);
    return Optional.of(clause);
  }

  private boolean rewriteEn(List<String> texts, EditPlan plan) {
    Operation op = plan.operation();
    boolean swap = op == Operation.REPLACE && plan.attribute() == Attribute.OBJECT;
    if (!swap
        && op != Operation.RECOLOR
        && op != Operation.MATERIAL
        && op != Operation.RESTYLE
        && op != Operation.RELIGHT) {
      return false;
    }
    String object = plan.target().en().toLowerCase(Locale.ROOT);
    String to = plan.to();
    if (object.isEmpty() || to.isEmpty() || object.equals("whole image")) {
      return false;
    }
    Pattern noun = Pattern.compile("(?i)\\b" + Pattern.quote(object) + "(?:s|es)?\\b");
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      Matcher m = noun.matcher(text);
      if (!m.find()) {
        continue;
      }
      // The words right before the object, nearest last, with where each starts.
      List<int[]> spans = new ArrayList<>();
      Matcher word = Pattern.compile("\\S+").matcher(text.substring(0, m.start()));
      while (word.find()) {
        spans.add(new int[] {word.start(), word.end()});
      }
      List<String> mods = new ArrayList<>();
      int phraseStart = m.start();
      for (int w = spans.size() - 1; w >= 0 && mods.size() < 6; w--) {
        String candidate = text.substring(spans.get(w)[0], spans.get(w)[1]);
        if (!isModifier(candidate)) {
          break;
        }
        mods.add(0, candidate);
        phraseStart = spans.get(w)[0];
      }
      String phrase;
      if (swap) {
        phrase = to;
      } else {
        phrase = String.join(" ", replaced(mods, plan, to, object)) + " " + m.group();
        written.put(object, to);
      }
      String head = text.substring(0, phraseStart);
      texts.set(i, fixArticle(head, phrase.strip()) + text.substring(m.end()));
      return true;
    }
    return false;
  }

  private static boolean isModifier(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    return !w.isEmpty() && w.matches("[\\p{L}-]+") && !STOP_EN.contains(w);
  }

  /**
   * The kind of a modifier: a {@link ChangeTarget.Attribute} name, "finish" for surface finishes
   * (kept apart from materials so that "matte dark green" does not drop "ceramic"), "light" for
   * brightness words, or "" for other words.
   */
  private static String kind(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    if (FINISH_EN.contains(w)) {
      return "finish";
    }
    if (LIGHT_EN.contains(w)) {
      return "light";
    }
    ChangeTarget.Attribute a = ChangeTarget.kindOf(w);
    return a == null ? "" : a.name();
  }

  /** {@code mods} without the words of the changed kinds and the old values, with {@code to}. */
  private List<String> replaced(List<String> mods, EditPlan plan, String to, String object) {
    Set<String> kinds = new java.util.HashSet<>();
    for (String word : (to + " " + plan.from()).split("\\s+")) {
      kinds.add(kind(word));
    }
    kinds.remove("");
    switch (plan.attribute()) {
      case COLOR, MATERIAL, STYLE -> kinds.add(plan.attribute().name());
      case LIGHTING -> kinds.add("light");
      default -> {}
    }
    // Words of the old value count only where no kind tells: "emerald-ish" or a name the word
    // lists lack; a known kind the change does not touch (a matte finish) stays.
    Set<String> old = new java.util.HashSet<>();
    for (String v : List.of(plan.from(), written.getOrDefault(object, ""))) {
      old.addAll(Arrays.asList(v.toLowerCase(Locale.ROOT).split("\\s+")));
    }
    List<String> out = new ArrayList<>();
    int at = -1;
    for (String mod : mods) {
      String lower = mod.toLowerCase(Locale.ROOT);
      String kind = kind(lower);
      boolean drop = kind.isEmpty() ? old.contains(lower) : kinds.contains(kind);
      if (drop) {
        at = at < 0 ? out.size() : at;
      } else {
        out.add(mod);
      }
    }
    out.add(at < 0 ? 0 : at, to);
    return out;
  }

  /** {@code head + phrase} with an "a"/"an" right before the phrase agreeing with it. */
  private static String fixArticle(String head, String phrase) {
    Matcher a = Pattern.compile("(?i)(^|\\s)(an?)\\s*$").matcher(head);
    String sep = head.isEmpty() || head.endsWith(" ") ? "" : " ";
    if (!a.find()) {
      return head + sep + phrase;
    }
    String article = article(phrase);
    if (Character.isUpperCase(a.group(2).charAt(0))) {
      article = Character.toUpperCase(article.charAt(0)) + article.substring(1);
    }
    return head.substring(0, a.start(2)) + article + " " + phrase;
  }

  private static String article(String phrase) {
    return phrase.toLowerCase(Locale.ROOT).matches("^[aeiou].*") ? "an" : "a";
  }

  private boolean rewriteZh(List<String> texts, ChangeTarget.ZhParts p) {
    List<String> names = new ArrayList<>(List.of(p.object()));
    if (p.object().length() > 1 && p.object().endsWith("子")) {
      names.add(p.object().substring(0, p.object().length() - 1));
    }
    for (String name : names) {
      for (int i = 0; i < texts.size(); i++) {
        String text = texts.get(i);
        int at = text.indexOf(name);
        if (at < 0) {
          continue;
        }
        int start = at;
        // "深宝石绿的沙发": a 的 right before the object joins its modifier to it.
        if (start > 0 && text.charAt(start - 1) == '的') {
          start--;
        }
        while (start > 0
            && at - start < 10
            && STOP_ZH.indexOf(text.charAt(start - 1)) < 0
            && !COUNT_ZH.matcher(text.substring(0, start)).find()) {
          start--;
        }
        String mods = text.substring(start, at);
        boolean wholeThing = p.swaps() || p.to().contains(name.substring(name.length() - 1));
        String phrase;
        if (wholeThing) {
          phrase = p.to();
        } else {
          phrase = replacedZh(mods, p, name) + name;
        }
        written.put(p.object(), p.to());
        texts.set(i, text.substring(0, start) + phrase + text.substring(at + name.length()));
        return true;
      }
    }
    return false;
  }

  private String replacedZh(String mods, ChangeTarget.ZhParts p, String name) {
    String before = written.getOrDefault(p.object(), "");
    for (String old : List.of(p.from(), before)) {
      int at = old.isEmpty() ? -1 : mods.indexOf(old);
      if (at >= 0) {
        return mods.substring(0, at)
            + p.to()
            + mods.substring(at + old.length()).replaceFirst("^的", "");
      }
    }
    Pattern kind =
        switch (p.attributeWord()) {
          case "材质", "材料" -> MATERIAL_ZH;
          case "风格" -> STYLE_ZH;
          case "颜色" -> COLOR_ZH;
          default -> p.to().matches(".*[色红绿蓝黄黑白灰紫橙粉棕银青].*") ? COLOR_ZH : MATERIAL_ZH;
        };
    Matcher m = kind.matcher(mods);
    if (m.find()) {
      return mods.substring(0, m.start()) + p.to() + mods.substring(m.end());
    }
    return p.to() + mods;
  }
}
