/**
 * Image values and the operations on them that need no model: {@link
 * dev.atelier.core.image.RgbImage} and {@link dev.atelier.core.image.Mask}, safe decoding with
 * limits checked before pixels are decoded and a streaming PNG encoder ({@link
 * dev.atelier.core.image.ImageCodec}; WebP through whatever ImageIO plugins the application ships,
 * none named here), PNG text metadata and the text Atelier writes into its images ({@link
 * dev.atelier.core.image.PngMetadata}), cropping, bicubic resizing and exact compositing ({@link
 * dev.atelier.core.image.Compositor}), and the fidelity metrics (PSNR, SSIM, CIEDE2000, {@link
 * dev.atelier.core.image.FidelityReport}).
 *
 * <p>Diffusion, grounding and anything that runs a model live in the engines.
 */
package dev.atelier.core.image;
