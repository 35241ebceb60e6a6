package dev.atelier.core.edit;

import java.util.Optional;

/**
 * Translates a phrase the bundled {@link Lexicon} does not know into English, for instance by
 * asking a chat model.
 *
 * <p>{@link EditPlanner} asks only after the lexicon missed, once per phrase. An implementation
 * that cannot answer returns empty; the plan then keeps the untranslated words and warns. Core
 * ships only {@link #NONE}: a network-backed translator belongs to the module that owns the client.
 */
@FunctionalInterface
public interface Translator {

  /** The translator that never answers, so lexicon misses always become warnings. */
  Translator NONE = phrase -> Optional.empty();

  /**
   * The English for {@code phrase}.
   *
   * @param phrase a non-blank noun or value phrase, usually Chinese
   * @return the English phrase, or empty when this translator cannot tell
   */
  Optional<String> toEnglish(String phrase);
}
