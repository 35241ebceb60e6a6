/**
 * Image values and safe image IO, using only the JDK.
 *
 * <p>Holds the pixel records ({@link dev.atelier.core.image.RgbImage}, {@link
 * dev.atelier.core.image.Mask}), the size limits applied to untrusted uploads ({@link
 * dev.atelier.core.image.ImageLimits}) and the codec that decodes them and writes PNG with text
 * metadata or JPEG ({@link dev.atelier.core.image.ImageCodec}). Conversions between bytes and
 * floats, grey levels and nearest-neighbour resizing reproduce diffusers, PIL and PyTorch exactly,
 * so results can be compared with Python goldens.
 *
 * <p>Tensor layout for a particular model, resampling filters other than nearest, and WebP do not
 * live here: the first two belong to the engines, and the JDK has no WebP decoder.
 */
package dev.atelier.core.image;
