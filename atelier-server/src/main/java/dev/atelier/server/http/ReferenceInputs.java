package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.core.Reference;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reference images of a request: {@code references: [{"image", "role", "weight"}]} (role {@code
 * style}, {@code subject}, {@code character} or {@code object}; weight 0..1, default 1) and the
 * practitioner guide's {@code reference_images: [image, ...]}, which are style references. Images
 * are given as everywhere else: data URLs, base64, stored image ids or {@code {"image_url": ...}}.
 * Each error names the exact field, e.g. {@code references[1].weight}.
 */
final class ReferenceInputs {
  private ReferenceInputs() {}

  /** The references of the request, checked; empty when it names none. */
  static List<Reference> read(JsonFields f, ImageInputs decoder) {
    List<Reference> out = new ArrayList<>();
    JsonValue.Obj raw = f.raw();
    List<JsonValue> styles = list(raw, "reference_images");
    List<JsonValue> refs = list(raw, "references");
    int count = styles.size() + refs.size();
    if (count > Reference.MAX_REFERENCES) {
      // Counted before any image is decoded.
      String name = refs.isEmpty() ? "reference_images" : "references";
      throw new AtelierException.InvalidRequest(
          name,
          "at most "
              + Reference.MAX_REFERENCES
              + " reference images are accepted but "
              + count
              + " were sent");
    }
    for (JsonValue item : styles) {
      String ref = EditInputs.reference("reference_images", item);
      out.add(new Reference(image(decoder, "reference_images", ref), Reference.Role.STYLE, 1.0));
    }
    for (int i = 0; i < refs.size(); i++) {
      String field = "references[" + i + "]";
      if (!(refs.get(i) instanceof JsonValue.Obj o)) {
        throw JsonFields.invalid(field, "an object {\"image\", \"role\", \"weight\"}", refs.get(i));
      }
      JsonFields r = new JsonFields(o);
      Optional<JsonValue> imageValue = o.get("image");
      if (imageValue.isEmpty() || imageValue.get() instanceof JsonValue.Null) {
        throw new AtelierException.InvalidRequest(
            field + ".image", field + ".image is required (the reference image)");
      }
      String roleName = r.string("role").orElse("style");
      Reference.Role role;
      try {
        role = Reference.Role.ofWireName(roleName);
      } catch (IllegalArgumentException e) {
        throw new AtelierException.InvalidRequest(field + ".role", field + "." + e.getMessage());
      }
      double weight = r.number("weight").orElse(1.0);
      if (!(weight >= 0 && weight <= 1)) {
        throw new AtelierException.InvalidRequest(
            field + ".weight", field + ".weight must be in 0..1 but was " + weight);
      }
      String ref = EditInputs.reference(field + ".image", imageValue.get());
      out.add(new Reference(image(decoder, field + ".image", ref), role, weight));
    }
    return out;
  }

  private static List<JsonValue> list(JsonValue.Obj raw, String name) {
    Optional<JsonValue> v = raw.get(name);
    if (v.isEmpty() || v.get() instanceof JsonValue.Null) {
      return List.of();
    }
    if (v.get() instanceof JsonValue.Arr arr) {
      return arr.items();
    }
    throw JsonFields.invalid(name, "a list", v.get());
  }

  private static RgbImage image(ImageInputs decoder, String field, String ref) {
    return RgbImage.from(decoder.resolveGuide(field, ref));
  }
}
