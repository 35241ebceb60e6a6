package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.core.EditMode;
import dev.atelier.core.image.Box;
import dev.atelier.core.image.Compositor;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.RequestLimits;
import dev.atelier.server.images.ImageService;
import io.javalin.http.Context;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The inputs of {@code /v1/images/edits} and of session rounds, from multipart (OpenAI's shape:
 * {@code image} or {@code image[]}, {@code mask}, text fields) or JSON ({@code image}/{@code
 * images} as data URLs, base64 or image ids, or {@code {"image_url": ...}} objects).
 */
record EditInputs(JsonFields fields, List<BufferedImage> images, Optional<BufferedImage> mask) {

  /**
   * Reads the inputs of {@code req}: a multipart body's parts, or a JSON body's fields (images as
   * data URLs, base64, image ids or URLs), within {@code jsonLimits}.
   */
  static EditInputs read(
      ApiRequest req, Json.Limits jsonLimits, ImageInputs decoder, boolean imageRequired) {
    if (req.multipart()) {
      return check(fromParts(req.parts(), decoder), imageRequired);
    }
    JsonFields f = new JsonFields(Routes.body(req.json(), jsonLimits));
    List<BufferedImage> images = new ArrayList<>();
    for (String name : new String[] {"image", "image[]", "images"}) {
      Optional<JsonValue> v = f.raw().get(name);
      if (v.isEmpty() || v.get() instanceof JsonValue.Null) {
        continue;
      }
      if (v.get() instanceof JsonValue.Arr arr) {
        for (JsonValue item : arr.items()) {
          images.add(decoder.resolve(name, reference(name, item)));
        }
      } else {
        images.add(decoder.resolve(name, reference(name, v.get())));
      }
    }
    Optional<BufferedImage> mask = Optional.empty();
    Optional<JsonValue> mv = f.raw().get("mask");
    if (mv.isPresent() && !(mv.get() instanceof JsonValue.Null)) {
      mask = Optional.of(decoder.resolve("mask", reference("mask", mv.get())));
    }
    return check(new EditInputs(f, images, mask), imageRequired);
  }

  /**
   * Decodes the parts: {@code image}, {@code image[]} and {@code mask} are image bytes, the rest
   * text (the first of several parts with one name counts).
   */
  private static EditInputs fromParts(List<ApiRequest.FormPart> parts, ImageInputs decoder) {
    Map<String, String> form = new LinkedHashMap<>();
    List<BufferedImage> images = new ArrayList<>();
    Optional<BufferedImage> mask = Optional.empty();
    for (ApiRequest.FormPart part : parts) {
      if (part.file()) {
        if (part.name().equals("mask")) {
          mask = Optional.of(decoder.decode("mask", part.bytes()));
        } else {
          images.add(decoder.decode(part.name(), part.bytes()));
        }
      } else {
        form.putIfAbsent(part.name(), part.text());
      }
    }
    return new EditInputs(JsonFields.fromForm(form), images, mask);
  }

  /**
   * Reads every part of a live multipart body within the server's limits: {@code image}, {@code
   * image[]} and {@code mask} are image bytes whether or not the client gave them a file name (the
   * official SDKs do not always), the rest are text.
   */
  static List<ApiRequest.FormPart> parts(Context ctx, String type, RequestLimits limits) {
    if (!BOUNDARY.matcher(type).find()) {
      throw new AtelierException.InvalidRequest(
          "",
          "Content-Type multipart/form-data must carry a boundary parameter"
              + " (multipart/form-data; boundary=...) that separates the parts, but '"
              + type
              + "' has none; let the HTTP client write the header for a multipart body");
    }
    // Asking Javalin for uploaded files installs the multipart limits before parts are read.
    java.util.Collection<Part> parts;
    try {
      ctx.uploadedFiles();
      parts = ctx.req().getParts();
    } catch (IOException | ServletException | RuntimeException e) {
      throw unreadable(e, limits);
    }
    if (parts.size() > limits.maxParts()) {
      throw new AtelierException.PayloadTooLarge(
          "",
          "the multipart body has "
              + parts.size()
              + " parts but at most "
              + limits.maxParts()
              + " are accepted");
    }
    List<ApiRequest.FormPart> out = new ArrayList<>();
    try {
      for (Part part : parts) {
        String name = part.getName();
        if (name == null) {
          throw new AtelierException.InvalidRequest(
              "",
              "every multipart part needs a name (Content-Disposition: form-data; name=\"...\")"
                  + " but one has none");
        }
        if (ApiRequest.imagePart(name)) {
          out.add(new ApiRequest.FormPart(name, true, bytes(part, name, limits.maxImageBytes())));
        } else {
          try (InputStream in = part.getInputStream()) {
            out.add(new ApiRequest.FormPart(name, false, in.readNBytes(1 << 20)));
          }
        }
      }
    } catch (IOException e) {
      throw new AtelierException.InvalidRequest(
          "", "the multipart body could not be read: " + rootMessage(e));
    }
    return out;
  }

  /** The innermost cause's message: Jetty wraps "unexpected EOF in PREAMBLE" twice. */
  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static EditInputs check(EditInputs in, boolean imageRequired) {
    if (imageRequired && in.images.isEmpty()) {
      throw new AtelierException.InvalidRequest(
          "image", "image is required (one or more images to edit)");
    }
    if (in.images.size() > 16) {
      throw new AtelierException.InvalidRequest(
          "image", "at most 16 images are accepted but " + in.images.size() + " were sent");
    }
    return in;
  }

  static String reference(String name, JsonValue v) {
    if (v instanceof JsonValue.Str s) {
      if (s.value().trim().matches("file-[A-Za-z0-9_-]{1,64}")) {
        throw fileIdsUnsupported(name);
      }
      return s.value();
    }
    if (v instanceof JsonValue.Obj o) {
      if (o.has("file_id")) {
        throw fileIdsUnsupported(name);
      }
      for (String key : new String[] {"image_url", "url", "id"}) {
        if (o.has(key) && o.get(key).orElseThrow() instanceof JsonValue.Str s) {
          return s.value();
        }
        if (o.has(key)
            && o.get(key).orElseThrow() instanceof JsonValue.Obj inner
            && inner.has("url")) {
          if (inner.get("url").orElseThrow() instanceof JsonValue.Str url) {
            return url.value();
          }
          throw JsonFields.invalid(
              name, "{\"" + key + "\": {\"url\": STRING}}", inner.get("url").orElseThrow());
        }
      }
    }
    throw JsonFields.invalid(
        name, "a data URL, base64 string, image id or {\"image_url\": ...}", v);
  }

  private static AtelierException.InvalidRequest fileIdsUnsupported(String name) {
    return new AtelierException.InvalidRequest(
        name,
        name
            + " names a file_id, but Atelier has no Files API: send the image itself (a multipart"
            + " part, a base64 data URL or an http(s) image_url) or an Atelier image id (img_...)");
  }

  private static final java.util.regex.Pattern BOUNDARY =
      java.util.regex.Pattern.compile("(?i);\\s*boundary\\s*=\\s*(\"[^\"]+\"|[^;\\s]+)");

  /**
   * The 4xx for a multipart body the parser gave up on: a part over the image limit or too many
   * parts (413), a body that stalled or ended early (left to {@link ErrorMapper}: 408 or 400),
   * anything else malformed (400). Jetty's parser does not say which part it was reading, so the
   * message names the limit and the image fields it applies to.
   */
  private static RuntimeException unreadable(Exception e, RequestLimits limits) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof AtelierException a) {
        return a;
      }
      if (c instanceof java.util.concurrent.TimeoutException
          || c instanceof org.eclipse.jetty.io.EofException) {
        // The body stalled or ended early: ErrorMapper answers 408 or 400 from the cause.
        return new java.io.UncheckedIOException(new IOException(e.getMessage(), e));
      }
      String m = c.getMessage() == null ? "" : c.getMessage().toLowerCase(java.util.Locale.ROOT);
      if (m.contains("max file size") || m.contains("max length")) {
        return new AtelierException.PayloadTooLarge(
            "image",
            "a multipart part (image, image[] or mask) is over "
                + limits.maxImageBytes()
                + " bytes, the most one image may have (serve --max-image-mb)");
      }
      if (m.contains("max request size") || m.contains("max content")) {
        return new AtelierException.PayloadTooLarge(
            "",
            "the multipart body is over "
                + limits.maxMultipartBytes()
                + " bytes, the most this server accepts (serve --max-multipart-mb)");
      }
      if (m.contains("max parts") || m.contains("form keys") || m.contains("too many")) {
        return new AtelierException.PayloadTooLarge(
            "",
            "the multipart body has more than "
                + limits.maxParts()
                + " parts, the most this server accepts");
      }
    }
    return new AtelierException.InvalidRequest(
        "", "the multipart body could not be read: " + e.getMessage());
  }

  private static byte[] bytes(Part part, String name, long maxBytes) throws IOException {
    if (part.getSize() > maxBytes) {
      throw new AtelierException.PayloadTooLarge(
          name,
          name
              + " is "
              + part.getSize()
              + " bytes but at most "
              + maxBytes
              + " bytes are allowed per image (serve --max-image-mb)");
    }
    try (InputStream in = part.getInputStream()) {
      return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    }
  }

  /** True when the request named an edit mode itself ({@code strength} or {@code instruct}). */
  boolean explicitMode() {
    return fields.has("strength")
        || fields.bool("instruct").orElse(false)
        || fields.has("input_fidelity");
  }

  /**
   * True when this edit should go through the local editor: no explicit mode, and either a mask or
   * a grounding model to find the region from the words.
   */
  boolean wantsLocalEdit(boolean grounding) {
    return !explicitMode() && (mask.isPresent() || grounding);
  }

  /**
   * True when, without a grounding model, this edit falls back to re-rendering the whole image: no
   * mask and no explicit mode (the response then says so).
   */
  boolean rerendersWholeImage() {
    return mask.isEmpty() && !explicitMode();
  }

  /** The caller's mask as a {@link Mask} for {@code image} (OpenAI or white convention). */
  Optional<Mask> userMask(RgbImage image) {
    if (mask.isEmpty()) {
      return Optional.empty();
    }
    EditMode m = modeChoice(0.75).mode(image);
    return m instanceof EditMode.Inpaint(var parsed) ? Optional.of(parsed) : Optional.empty();
  }

  /** The image to edit, cropped to multiples of 8, and a warning when it was cropped. */
  /** The first image (the one to edit), cropped to multiples of 8, without a word on the others. */
  RgbImage first(List<String> warnings) {
    return crop(RgbImage.from(images.get(0)), warnings);
  }

  /**
   * The images after the first as references ({@code image[]} holds the image to edit followed by
   * the images to take from, as OpenAI's edits endpoint does): subject references at weight 1.
   */
  List<dev.atelier.core.Reference> furtherImagesAsReferences() {
    return images.stream()
        .skip(1)
        .map(
            b ->
                new dev.atelier.core.Reference(
                    RgbImage.from(b), dev.atelier.core.Reference.Role.SUBJECT, 1.0))
        .toList();
  }

  /**
   * The one image this edit changes, cropped to multiples of 8.
   *
   * @throws AtelierException.InvalidRequest naming {@code image} when several were sent: the local
   *     engine, plain-words edits and sessions change one image and cannot compose others into it
   */
  RgbImage base(List<String> warnings) {
    if (images.size() > 1) {
      throw new AtelierException.InvalidRequest(
          "image",
          "image holds "
              + images.size()
              + " images but this edit changes exactly one: the local engine, plain-words local"
              + " edits and sessions cannot compose several images; send the image to edit alone"
              + " and the others as references ([{\"image\": ..., \"role\": \"style\"}])");
    }
    return crop(RgbImage.from(images.get(0)), warnings);
  }

  /**
   * These inputs with the image (and the mask) scaled to cover {@code size} and centre-cropped to
   * it, so the edit comes back at the requested size; unchanged when the image already has it.
   * Cropping is reported in {@code warnings}.
   */
  EditInputs resizedTo(dev.atelier.core.ImageSize size, List<String> warnings) {
    if (images.isEmpty()) {
      return this;
    }
    BufferedImage first = images.get(0);
    if (first.getWidth() == size.width() && first.getHeight() == size.height()) {
      return this;
    }
    if (mask.isPresent()
        && (mask.get().getWidth() != first.getWidth()
            || mask.get().getHeight() != first.getHeight())) {
      throw new AtelierException.InvalidRequest(
          "mask",
          "mask must have the image's size "
              + first.getWidth()
              + "x"
              + first.getHeight()
              + " but is "
              + mask.get().getWidth()
              + "x"
              + mask.get().getHeight());
    }
    double scale =
        Math.max(
            size.width() / (double) first.getWidth(), size.height() / (double) first.getHeight());
    int scaledW = (int) Math.ceil(first.getWidth() * scale);
    int scaledH = (int) Math.ceil(first.getHeight() * scale);
    if (scaledW != size.width() || scaledH != size.height()) {
      warnings.add(
          "image resized from "
              + first.getWidth()
              + "x"
              + first.getHeight()
              + " to cover "
              + size
              + " and centre-cropped to it (the aspect ratios differ)");
    }
    List<BufferedImage> resized = new ArrayList<>(images);
    resized.set(0, cover(first, size));
    return new EditInputs(fields, resized, mask.map(m -> cover(m, size)));
  }

  /** {@code src} scaled (bicubic) to cover {@code size}, centre-cropped, alpha kept. */
  private static BufferedImage cover(BufferedImage src, dev.atelier.core.ImageSize size) {
    double scale =
        Math.max(size.width() / (double) src.getWidth(), size.height() / (double) src.getHeight());
    int w = (int) Math.ceil(src.getWidth() * scale);
    int h = (int) Math.ceil(src.getHeight() * scale);
    BufferedImage out =
        new BufferedImage(
            size.width(),
            size.height(),
            src.getColorModel().hasAlpha()
                ? BufferedImage.TYPE_INT_ARGB
                : BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = out.createGraphics();
    try {
      g.setComposite(java.awt.AlphaComposite.Src);
      g.setRenderingHint(
          java.awt.RenderingHints.KEY_INTERPOLATION,
          java.awt.RenderingHints.VALUE_INTERPOLATION_BICUBIC);
      g.drawImage(src, (size.width() - w) / 2, (size.height() - h) / 2, w, h, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  static RgbImage crop(RgbImage in, List<String> warnings) {
    int w = in.width() / 8 * 8;
    int h = in.height() / 8 * 8;
    if (w == in.width() && h == in.height()) {
      return in;
    }
    if (w == 0 || h == 0) {
      throw new AtelierException.InvalidRequest(
          "image", "image must be at least 8x8 pixels but is " + in.width() + "x" + in.height());
    }
    warnings.add(
        "image cropped from "
            + in.width()
            + "x"
            + in.height()
            + " to "
            + w
            + "x"
            + h
            + " (sides must be multiples of 8)");
    return Compositor.crop(in, new Box(0, 0, w, h));
  }

  /**
   * The edit mode: inpainting with the mask (OpenAI: transparent = edit; {@code mask_mode=white}:
   * white = edit), instruction editing with {@code instruct: true}, else image-to-image with {@code
   * strength} (default from {@code input_fidelity}: high 0.5, low 0.75, else {@code fallback}).
   */
  ImageService.EditModeChoice modeChoice(double fallbackStrength) {
    String maskMode = fields.oneOf("mask_mode", "alpha", "white").orElse("alpha");
    boolean instruct = fields.bool("instruct").orElse(false);
    Optional<Double> strength = fields.number("strength");
    String fidelity = fields.oneOf("input_fidelity", "high", "low").orElse("");
    if (strength.isPresent() && (strength.get() <= 0 || strength.get() > 1)) {
      throw new AtelierException.InvalidRequest(
          "strength", "strength must be in (0, 1] but was " + strength.get());
    }
    // Settings of one edit mode sent with another would be ignored: refuse them instead.
    if (fields.has("image_guidance") && !instruct) {
      throw new AtelierException.InvalidRequest(
          "image_guidance", "image_guidance applies to instruct: true edits only");
    }
    if (mask.isPresent()) {
      for (String name : new String[] {"strength", "input_fidelity", "instruct"}) {
        if (fields.has(name) && !(name.equals("instruct") && !instruct)) {
          throw new AtelierException.InvalidRequest(
              name,
              name
                  + " chooses how an unmasked edit re-renders the image, but a mask was sent: the"
                  + " masked region is inpainted; send one or the other");
        }
      }
    }
    return current -> {
      if (mask.isPresent()) {
        BufferedImage m = mask.get();
        Mask parsed;
        if (maskMode.equals("white")) {
          parsed = Mask.fromGray(m);
        } else {
          if (!m.getColorModel().hasAlpha()) {
            throw new AtelierException.InvalidRequest(
                "mask",
                "mask must be a PNG with an alpha channel (transparent pixels mark the area to edit);"
                    + " for a white-means-edit mask send mask_mode=white");
          }
          parsed = Mask.fromAlpha(m);
        }
        // The mask must match the image as sent (before any crop to multiples of 8).
        int expectedW = images.isEmpty() ? current.width() : images.get(0).getWidth();
        int expectedH = images.isEmpty() ? current.height() : images.get(0).getHeight();
        if (parsed.width() != expectedW || parsed.height() != expectedH) {
          throw new AtelierException.InvalidRequest(
              "mask",
              "mask must have the image's size "
                  + expectedW
                  + "x"
                  + expectedH
                  + " but is "
                  + parsed.width()
                  + "x"
                  + parsed.height());
        }
        return new EditMode.Inpaint(parsed.crop(new Box(0, 0, current.width(), current.height())));
      }
      if (instruct) {
        return new EditMode.Instruct(fields.number("image_guidance").orElse(1.5));
      }
      double s =
          strength.orElse(
              switch (fidelity) {
                case "high" -> 0.5;
                case "low" -> 0.75;
                default -> fallbackStrength;
              });
      return new EditMode.ImageToImage(s);
    };
  }
}
