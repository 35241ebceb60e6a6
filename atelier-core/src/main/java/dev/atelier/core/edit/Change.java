package dev.atelier.core.edit;

import java.util.Objects;

/**
 * One change clause split into its parts, before translation; parts the clause lacks are {@code
 * ""}.
 *
 * @param verb what the clause's verb asks for
 * @param target the phrase naming what changes; for {@link Verb#ADD}, where to add
 * @param from the old value, when the clause names it ("从蓝色", "from blue")
 * @param to the new value, or the thing to add
 */
record Change(Verb verb, String target, String from, String to) {

  /** The verb families the grammars tell apart; the value decides the rest. */
  enum Verb {
    ADD,
    REMOVE,
    /** "replace X with Y", "把X换成Y": an object swap unless the value says otherwise. */
    REPLACE,
    /** "change X to Y", "make X Y", "把X改成Y". */
    SET
  }

  Change {
    Objects.requireNonNull(verb, "verb");
    target = target.strip();
    from = from.strip();
    to = to.strip();
  }
}
