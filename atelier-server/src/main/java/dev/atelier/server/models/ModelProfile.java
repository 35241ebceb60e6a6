package dev.atelier.server.models;

import dev.atelier.core.ImageSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the server knows about a served model before it loads: its family, the side it was trained
 * at, what image sides must be a multiple of, and whether it is a few-step model. It decides the
 * size of {@code size: "auto"}, where OpenAI's named sizes land, the default steps and guidance,
 * and which inpainting model may redraw a model's masked edits (one of the same family).
 *
 * <p>SDXL models map OpenAI's sizes onto SDXL's aspect buckets ({@link #buckets()}): {@code
 * 1024x1024} to the native square, {@code 1536x1024} to the nearest landscape bucket ({@code
 * 1216x832} at 1024 px), {@code 1024x1536} to its transpose. Every other size passes through as
 * sent; SD 1.x/2.x and unknown models keep every size as sent.
 *
 * @param nativeSide the side of {@code size: "auto"}; 0 when unknown (the server's default side)
 * @param sizeMultiple what every image side must be a multiple of (at least 1)
 * @param fewStep a distilled few-step model (SD-Turbo, SDXL-Turbo, SDXS): defaults to guidance 0
 *     and {@link #FEW_STEPS} steps by quality
 */
public record ModelProfile(Family family, int nativeSide, int sizeMultiple, boolean fewStep) {
  /** A model family: which UNets, text towers and inpainting models belong together. */
  public enum Family {
    /** Stable Diffusion 1.x/2.x and their relatives (SD-Turbo, SDXS, LCM). */
    SD,
    /** Stable Diffusion XL (two text towers, added conditions). */
    SDXL,
    /** Not known here (an upstream engine, a test double). */
    UNKNOWN;

    /** The wire name: {@code sd}, {@code sdxl}, {@code unknown}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A model the server knows nothing about: sizes as sent, the server's default side. */
  public static final ModelProfile UNKNOWN = new ModelProfile(Family.UNKNOWN, 0, 8, false);

  /** SDXL's native side, the scale of {@link #SDXL_BUCKETS}. */
  static final int SDXL_SIDE = 1024;

  /** SDXL's landscape aspect buckets at 1024 px (the portrait ones are their transposes). */
  static final List<ImageSize> SDXL_BUCKETS =
      List.of(new ImageSize(1152, 896), new ImageSize(1216, 832), new ImageSize(1344, 768));

  /** OpenAI's named sizes that an SDXL model maps onto its buckets. */
  public static final List<ImageSize> OPENAI_SIZES =
      List.of(new ImageSize(1024, 1024), new ImageSize(1536, 1024), new ImageSize(1024, 1536));

  /** Steps of a few-step model by quality when the request names none: low, medium/auto, high. */
  public static final int[] FEW_STEPS = {1, 2, 4};

  /** Validates the values. */
  public ModelProfile {
    java.util.Objects.requireNonNull(family, "family");
    if (nativeSide < 0 || sizeMultiple < 1) {
      throw new IllegalArgumentException(
          "native side must be >= 0 and size multiple >= 1 but were "
              + nativeSide
              + " and "
              + sizeMultiple);
    }
  }

  /**
   * This profile as a worker reports it in the {@code workers} table, so API nodes decide sizes and
   * defaults as the worker would: {@code family/nativeSide/sizeMultiple/few-step|steps}, e.g.
   * {@code sdxl/1024/32/steps}; {@code ""} for an unknown model.
   */
  public String wire() {
    if (equals(UNKNOWN)) {
      return "";
    }
    return family.wire()
        + "/"
        + nativeSide
        + "/"
        + sizeMultiple
        + "/"
        + (fewStep ? "few-step" : "steps");
  }

  /** The profile {@link #wire()} wrote; {@link #UNKNOWN} for anything else (older workers). */
  public static ModelProfile parse(String wire) {
    String[] f = wire.split("/");
    if (f.length != 4) {
      return UNKNOWN;
    }
    try {
      Family family = Family.valueOf(f[0].toUpperCase(Locale.ROOT));
      return new ModelProfile(
          family, Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3].equals("few-step"));
    } catch (IllegalArgumentException e) {
      return UNKNOWN;
    }
  }

  /** The square of {@code size: "auto"}: the native side, else {@code serverSide}. */
  public ImageSize nativeSquare(int serverSide) {
    int side = nativeSide > 0 ? nativeSide : serverSide;
    return new ImageSize(side, side);
  }

  /**
   * SDXL's aspect buckets scaled to this model: the native square, then {@code 1152x896}, {@code
   * 1216x832}, {@code 1344x768} and their transposes times {@code nativeSide / 1024}, each side
   * rounded to the nearest multiple of the size multiple (at least 8), halves up. Empty for other
   * families.
   */
  public List<ImageSize> buckets() {
    if (family != Family.SDXL || nativeSide == 0) {
      return List.of();
    }
    List<ImageSize> out = new ArrayList<>();
    out.add(new ImageSize(nativeSide, nativeSide));
    for (ImageSize b : SDXL_BUCKETS) {
      out.add(new ImageSize(scaled(b.width()), scaled(b.height())));
    }
    for (ImageSize b : SDXL_BUCKETS) {
      out.add(new ImageSize(scaled(b.height()), scaled(b.width())));
    }
    return List.copyOf(out);
  }

  private int scaled(int side) {
    int m = Math.max(8, sizeMultiple);
    long units = Math.round((double) side * nativeSide / SDXL_SIDE / m);
    return (int) Math.max(m, units * m);
  }

  /**
   * Where OpenAI's named size {@code requested} lands on this model: the bucket whose aspect ratio
   * is nearest (by log ratio; the squarer one on a tie) for an SDXL model, else empty (the size is
   * used as sent). Sizes other than {@link #OPENAI_SIZES} are never mapped.
   */
  public Optional<ImageSize> bucketFor(ImageSize requested) {
    List<ImageSize> buckets = buckets();
    if (buckets.isEmpty() || !OPENAI_SIZES.contains(requested)) {
      return Optional.empty();
    }
    double want = Math.log((double) requested.width() / requested.height());
    ImageSize best = buckets.get(0);
    double bestDistance = Double.MAX_VALUE;
    for (ImageSize b : buckets) {
      double d = Math.abs(Math.log((double) b.width() / b.height()) - want);
      if (d < bestDistance - 1e-12) {
        best = b;
        bestDistance = d;
      }
    }
    return Optional.of(best);
  }

  /** The steps of a request that names none, at {@code quality} (low, medium, high, auto). */
  public int defaultSteps(String quality) {
    return switch (quality) {
      case "low" -> fewStep ? FEW_STEPS[0] : 10;
      case "high", "hd" -> fewStep ? FEW_STEPS[2] : 30;
      default -> fewStep ? FEW_STEPS[1] : 20;
    };
  }

  /** The guidance of a request that names none: 0 for a few-step model, else 7.5. */
  public double defaultGuidance() {
    return fewStep ? 0 : 7.5;
  }

  /**
   * Whether an inpainting model of profile {@code other} may redraw this model's masked edits: the
   * same family (an SD 1.5 inpainting UNet knows nothing of SDXL's latents' conditioning, and the
   * other way round); unknown families match each other only.
   */
  public boolean sameFamily(ModelProfile other) {
    return family == other.family;
  }
}
