/**
 * Reference images in the workflow, whatever engine runs: the wording a prompt gets for a style
 * reference ({@link dev.atelier.core.reference.StyleEmphasis}) and the checks whose warnings tell a
 * user when a reference will not work well ({@link dev.atelier.core.reference.ReferenceChecks}).
 */
package dev.atelier.core.reference;
