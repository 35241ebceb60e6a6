/**
 * Text-grounded masks: find "the red mug on the left" in an image with CLIPSeg and turn it into an
 * inpainting mask.
 *
 * <p>{@link dev.atelier.engine.onnx.grounding.ClipSegModel} loads a CLIPSeg ONNX folder and
 * reproduces transformers' {@code CLIPSegProcessor} (Pillow bilinear resize, normalisation,
 * tokenization padded to the longest phrase) so its logits match the reference. {@link
 * dev.atelier.engine.onnx.grounding.RegionFinder} turns logits into a {@link
 * dev.atelier.core.image.Mask}: threshold, connected components, choice by side and ordinal,
 * subtraction of phrases to keep, dilation and feathering, as described by a {@link
 * dev.atelier.engine.onnx.grounding.RegionQuery}. Parsing such phrases out of a user's prompt, and
 * running the inpainting itself, live elsewhere.
 */
package dev.atelier.engine.onnx.grounding;
