/**
 * Natural-language local editing: the 3W1K edit planner (English and Chinese), grounding queries
 * and regions, and the local editor that turns an instruction into an edit that leaves every pixel
 * outside the region untouched. Grounding models and pipelines live in engines; this package only
 * sees the {@link dev.atelier.core.Engine} and {@link dev.atelier.core.edit.Grounder} interfaces.
 */
package dev.atelier.core.edit;
