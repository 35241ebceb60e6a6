/**
 * Helpers of text grounding (Pillow-exact resizing, grids, connected components, distance
 * transform, tokenizer.json adapter); not a public API.
 */
package dev.atelier.engine.onnx.grounding.internal;
