/**
 * The diffusion pipelines, one class per pipeline: text-to-image, image-to-image, inpainting (9-
 * channel and latent blending) and InstructPix2Pix, with diffusers' semantics and draw order.
 *
 * <p>Also the pieces they share: prompt encoding with its cache, guidance, the denoising loop, the
 * VAE stage, stage timings; and what text-to-image adds to diffusers ({@code Steering}): set noise
 * shared across a batch ({@code SetNoise}), the latent pull and palette of style references ({@code
 * StyleReference}, {@code StyleStatistics}) and IP-Adapter image tokens ({@code ImagePrompt},
 * {@code ImageTokens}). Model loading is in {@code model}, schedules in {@code scheduler}, noise in
 * {@code rng}; choosing a pipeline for a request is {@code OnnxEngine}'s job.
 */
package dev.atelier.engine.onnx.pipeline;
