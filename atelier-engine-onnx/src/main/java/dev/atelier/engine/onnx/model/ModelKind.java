package dev.atelier.engine.onnx.model;

/** What a Stable Diffusion folder's UNet was trained for, from its input channels. */
public enum ModelKind {
  /** 4 channels: text-to-image, image-to-image, and inpainting by latent blending. */
  TEXT_TO_IMAGE,
  /** 9 channels: latents + mask + masked-image latents. */
  INPAINTING,
  /** 8 channels: latents + image latents, instruction following (InstructPix2Pix). */
  INSTRUCT_PIX2PIX;

  /** The kind for a UNet with {@code inChannels} inputs. */
  public static ModelKind ofChannels(int inChannels) {
    return switch (inChannels) {
      case 4 -> TEXT_TO_IMAGE;
      case 9 -> INPAINTING;
      case 8 -> INSTRUCT_PIX2PIX;
      default ->
          throw new IllegalArgumentException(
              "UNet in_channels must be 4, 8 or 9 but was " + inChannels);
    };
  }
}
