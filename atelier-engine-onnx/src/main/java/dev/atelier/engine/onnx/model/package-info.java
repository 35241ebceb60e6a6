/**
 * Loading Stable Diffusion ONNX folders: one ONNX Runtime session per component, created from its
 * file path, with inputs and outputs read from the session metadata and adapted at the boundary.
 *
 * <p>Holds {@link dev.atelier.engine.onnx.model.StableDiffusionModel} and its typed components,
 * including the optional IP-Adapter ({@code image_encoder/} + {@code ip_adapter/}, ADR 0010).
 * Denoising loops live in {@code pipeline}, schedules in {@code scheduler}; downloading models is
 * not done here.
 */
package dev.atelier.engine.onnx.model;
