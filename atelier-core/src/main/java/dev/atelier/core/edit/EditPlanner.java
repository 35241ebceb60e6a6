package dev.atelier.core.edit;

import dev.atelier.core.edit.EditPlan.Attribute;
import dev.atelier.core.edit.EditPlan.Operation;
import dev.atelier.core.edit.EditPlan.Scope;
import dev.atelier.core.edit.EditPlan.Side;
import dev.atelier.core.edit.EditPlan.Target;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a Chinese or English edit instruction into an {@link EditPlan} following the guide's 3W1K
 * formula: what to change, which attribute, what to keep, and the key constraint.
 *
 * <p>The instruction is split into clauses; keep-clauses feed the keep-list, the first change
 * clause decides the operation, and further change clauses count as extra variables unless they
 * only harmonise ("地面光照同步调整为暖色调", "adjust the shadows to match"). Chinese phrases go to English
 * through the {@link Lexicon}, then the {@link Translator}; whatever neither knows stays verbatim
 * and earns a warning. Instances are immutable and thread-safe.
 */
public final class EditPlanner {

  private static final Pattern HARMONISING =
      Pattern.compile(
          "同步|相应|随之|一并|匹配|协调|\\baccordingly\\b|\\bto\\s+match\\b|\\bmatching\\b|\\bin\\s+sync\\b",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern WHOLE_ZH =
      Pattern.compile("^(?:整体|整个画面|画面整体|整张图片?|整幅画?|全图|画面|图片|图像|照片|整个图片|整体画面|全局)?$|整体|全图|整个画面");
  private static final Pattern WHOLE_EN =
      Pattern.compile(
          "^(?:(?:the\\s+)?(?:whole|entire|full|overall)\\s+)?(?:it|this|everything|image|picture"
              + "|photo|photograph|scene|frame|shot)?$|\\b(?:whole|entire)\\s+(?:image|picture|photo|scene)\\b",
          Pattern.CASE_INSENSITIVE);
  private static final String WHOLE_IMAGE = "whole image";

  private final PhraseTranslator phrases;
  private final EnglishGrammar english;

  /** A planner with the bundled lexicon and no translator. */
  public EditPlanner() {
    this(Lexicon.bundled(), Translator.NONE);
  }

  /**
   * A planner with the given lexicon and fallback translator.
   *
   * @param lexicon the word list for Chinese to English and for telling values from objects
   * @param translator asked for Chinese phrases the lexicon does not cover
   */
  public EditPlanner(Lexicon lexicon, Translator translator) {
    Objects.requireNonNull(lexicon, "lexicon");
    Objects.requireNonNull(translator, "translator");
    this.phrases = new PhraseTranslator(lexicon, translator);
    this.english = new EnglishGrammar(lexicon);
  }

  /**
   * The plan for one instruction. Never fails on text it cannot read: that yields operation {@link
   * Operation#OTHER}, an empty target and a warning.
   *
   * @throws IllegalArgumentException when {@code instruction} is empty or blank
   */
  public EditPlan plan(String instruction) {
    Objects.requireNonNull(instruction, "instruction");
    if (instruction.isBlank()) {
      throw new IllegalArgumentException("instruction must not be empty");
    }
    String text = instruction.strip();
    boolean zh = PlannerText.isChinese(text);
    Set<String> misses = new LinkedHashSet<>();
    List<String> keep = new ArrayList<>();
    boolean everythingElse = false;
    List<Change> changes = new ArrayList<>();
    for (String clause : PlannerText.clauses(text)) {
      if (PlannerText.isKeepClause(clause)) {
        for (String item : KeepConstraints.items(clause, zh)) {
          // "Everything else" is the complement of the target, not a region: grounding it finds
          // the whole image, which would swallow the target. Compositing keeps it anyway.
          if (KeepConstraints.isEverythingElse(item, zh || PlannerText.hasHan(item))) {
            everythingElse = true;
            continue;
          }
          String en = render(item, zh, misses);
          if (!en.isEmpty() && !keep.contains(en)) {
            keep.add(en);
          }
        }
        continue;
      }
      Optional<Change> change = parse(PlannerText.stripFiller(clause), zh);
      if (change.isPresent() && (changes.isEmpty() || !HARMONISING.matcher(clause).find())) {
        changes.add(change.get());
      }
    }
    boolean strict = KeepConstraints.isStrict(text);
    Draft draft = changes.isEmpty() ? Draft.OTHER : draft(changes.get(0), zh, misses);

    Set<String> warnings = new LinkedHashSet<>();
    if (draft.target().en().isEmpty()) {
      warnings.add(Lint.NO_TARGET);
    }
    warnings.addAll(misses);
    int variables = changes.size() + Math.max(0, draft.attributesNamed() - 1);
    if (variables > 1) {
      warnings.add(Lint.multipleVariables(variables));
    }
    if (strict && keep.isEmpty() && !everythingElse) {
      warnings.add(Lint.STRICT_WITHOUT_KEEP);
    }
    Lint.structuralFor(text).ifPresent(warnings::add);
    return new EditPlan(
        draft.operation(),
        draft.scope(),
        draft.target(),
        draft.attribute(),
        draft.from(),
        draft.to(),
        keep,
        everythingElse,
        strict,
        List.copyOf(warnings));
  }

  /** The plan's fields that come from the main change clause. */
  private record Draft(
      Operation operation,
      Scope scope,
      Target target,
      Attribute attribute,
      String from,
      String to,
      int attributesNamed) {
    static final Draft OTHER =
        new Draft(Operation.OTHER, Scope.LOCAL, Target.NONE, Attribute.NONE, "", "", 0);
  }

  private Optional<Change> parse(String clause, boolean zh) {
    Optional<Change> change = zh ? ChineseGrammar.parse(clause) : english.parse(clause);
    if (change.isEmpty() && !zh && PlannerText.hasHan(clause)) {
      change = ChineseGrammar.parse(clause);
    }
    return change;
  }

  private Draft draft(Change change, boolean zh, Set<String> misses) {
    return switch (change.verb()) {
      case ADD -> {
        Qualifiers place = Qualifiers.of(change.target(), zh);
        String en = place.rest().isEmpty() ? "image" : render(place.rest(), zh, misses);
        Target target = new Target(written(change.target()), en, place.side(), place.ordinal());
        yield new Draft(
            Operation.ADD,
            Scope.LOCAL,
            target,
            Attribute.OBJECT,
            "",
            render(change.to(), zh, misses),
            1);
      }
      case REMOVE -> {
        Qualifiers q = Qualifiers.of(change.target(), zh);
        Target target =
            new Target(
                written(change.target()), render(q.rest(), zh, misses), q.side(), q.ordinal());
        yield new Draft(Operation.REMOVE, Scope.LOCAL, target, Attribute.OBJECT, "", "", 1);
      }
      case REPLACE, SET -> setDraft(change, zh, misses);
    };
  }

  private Draft setDraft(Change change, boolean zh, Set<String> misses) {
    AttributeWords named = AttributeWords.ofTarget(change.target(), zh);
    Qualifiers q = Qualifiers.of(named.rest(), zh);
    boolean text = PlannerText.isQuoted(change.to());
    AttributeWords valueWords = AttributeWords.ofValue(change.to(), zh);
    PhraseTranslator.Rendered value = phrases.render(text ? "" : valueWords.rest(), zh);
    PhraseTranslator.Rendered object = phrases.render(q.rest(), zh);
    Set<Lexicon.Kind> targetKinds = object.kinds();
    Attribute attribute = text ? Attribute.TEXT : attribute(named, valueWords, value, targetKinds);
    Operation operation = operationOf(attribute);
    String to = text ? PlannerText.unquote(change.to()) : value.en();
    noteMisses(valueWords.rest(), value, misses);
    String from =
        PlannerText.isQuoted(change.from())
            ? PlannerText.unquote(change.from())
            : render(AttributeWords.ofValue(change.from(), zh).rest(), zh, misses);
    String written = written(named.rest());
    boolean explicitWhole =
        !written.isEmpty() && (zh ? WHOLE_ZH : WHOLE_EN).matcher(written).find();
    boolean global =
        switch (operation) {
          case RESTYLE, RELIGHT -> explicitWhole || q.rest().isEmpty();
          case RECOLOR -> explicitWhole;
          default -> false;
        };
    Target target =
        global
            ? new Target(written(named.rest()), WHOLE_IMAGE, Side.NONE, 0)
            : new Target(written(named.rest()), object.en(), q.side(), q.ordinal());
    if (!global) {
      noteMisses(q.rest(), object, misses);
    }
    return new Draft(
        operation,
        global ? Scope.GLOBAL : Scope.LOCAL,
        target,
        attribute,
        from,
        to,
        Math.max(1, named.attributes().size()));
  }

  private static Attribute attribute(
      AttributeWords named,
      AttributeWords valueWords,
      PhraseTranslator.Rendered value,
      Set<Lexicon.Kind> targetKinds) {
    for (Attribute a : Attribute.values()) {
      if (named.attributes().contains(a)) {
        return a;
      }
    }
    for (Attribute a : Attribute.values()) {
      if (valueWords.attributes().contains(a)) {
        return a;
      }
    }
    Set<Lexicon.Kind> kinds = value.kinds();
    if (kinds.contains(Lexicon.Kind.STYLE)) {
      return Attribute.STYLE;
    }
    // "白色大理石桌面" for a table is a material change; "石狮子" for a statue is a new object: the
    // material counts only when the new thing is the same kind of thing as the old one.
    boolean sameKindOfThing =
        !value.headIsThing()
            || kinds.stream().anyMatch(k -> k.isThing() && targetKinds.contains(k));
    if (kinds.contains(Lexicon.Kind.MATERIAL) && sameKindOfThing) {
      return Attribute.MATERIAL;
    }
    if (value.headIsThing()) {
      return Attribute.OBJECT;
    }
    if (kinds.contains(Lexicon.Kind.COLOR)) {
      return Attribute.COLOR;
    }
    if (kinds.contains(Lexicon.Kind.LIGHTING)) {
      return Attribute.LIGHTING;
    }
    return Attribute.OBJECT;
  }

  private static Operation operationOf(Attribute attribute) {
    return switch (attribute) {
      case COLOR -> Operation.RECOLOR;
      case MATERIAL -> Operation.MATERIAL;
      case STYLE -> Operation.RESTYLE;
      case TEXT -> Operation.TEXT;
      case LIGHTING -> Operation.RELIGHT;
      case SHAPE, OBJECT, NONE -> Operation.REPLACE;
    };
  }

  private String render(String phrase, boolean zh, Set<String> misses) {
    PhraseTranslator.Rendered r = phrases.render(phrase, zh);
    noteMisses(phrase, r, misses);
    return r.en();
  }

  private static void noteMisses(String phrase, PhraseTranslator.Rendered r, Set<String> misses) {
    for (String miss : r.misses()) {
      misses.add(Lint.lexiconMiss(miss, phrase.strip()));
    }
  }

  /** A target phrase as the user wrote it, without a leading English article. */
  private static String written(String phrase) {
    return PlannerText.stripArticle(phrase);
  }
}
