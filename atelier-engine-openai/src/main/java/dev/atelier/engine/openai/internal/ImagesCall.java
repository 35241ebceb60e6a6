package dev.atelier.engine.openai.internal;

import dev.atelier.core.ImageSize;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One upstream Images API call: {@code /images/generations} without input images, {@code
 * /images/edits} with them.
 *
 * <p>The wire shape follows OpenAI's API reference: generations take JSON, edits take {@code
 * multipart/form-data} with one {@code image} file, or several {@code image[]} files as the
 * official SDKs send them, and an optional {@code mask} PNG (transparent = edit) that applies to
 * the first image. {@code quality} is left out when it is {@code auto}, so the upstream's default
 * applies on every model. GPT image models always answer in base64 and take {@code
 * output_format=png} (the JDK cannot decode WebP); DALL-E models take {@code
 * response_format=b64_json} instead.
 *
 * @param prompt the prompt as sent
 * @param n images to ask for in this call
 * @param size the requested size
 * @param quality the quality word; {@code auto} is not sent
 * @param images input images, the one to edit first; empty for a generation
 * @param mask the area of the first image to edit
 * @param inputFidelity {@code input_fidelity} ({@code ""} to send none)
 * @param partialImages partial images to stream (0 = no streaming)
 */
public record ImagesCall(
    String prompt,
    int n,
    ImageSize size,
    String quality,
    List<RgbImage> images,
    Optional<Mask> mask,
    String inputFidelity,
    int partialImages) {

  /** Copies the images and checks that a mask comes with an image. */
  public ImagesCall {
    Objects.requireNonNull(prompt, "prompt");
    images = List.copyOf(images);
    if (mask.isPresent() && images.isEmpty()) {
      throw new IllegalArgumentException("a mask needs an image to edit");
    }
  }

  /** Whether this call goes to the edits endpoint. */
  public boolean isEdit() {
    return !images.isEmpty();
  }

  /** The event type prefix of a streamed answer: {@code image_edit} or {@code image_generation}. */
  public String eventPrefix() {
    return isEdit() ? "image_edit" : "image_generation";
  }

  /** The HTTP request for {@code model}. */
  public UpstreamHttp.Request toRequest(String model) {
    String accept = partialImages > 0 ? "text/event-stream" : "application/json";
    Map<String, String> fields = fields(model);
    if (!isEdit()) {
      Map<String, JsonValue> json = new LinkedHashMap<>();
      fields.forEach(
          (k, v) ->
              json.put(
                  k,
                  switch (k) {
                    case "n", "partial_images" -> new JsonValue.Num(Integer.parseInt(v));
                    case "stream" -> new JsonValue.Bool(true);
                    default -> new JsonValue.Str(v);
                  }));
      byte[] body = Json.write(new JsonValue.Obj(json)).getBytes(StandardCharsets.UTF_8);
      return new UpstreamHttp.Request(
          "POST", "/images/generations", "application/json", body, accept);
    }
    Multipart form = new Multipart();
    String imageField = images.size() == 1 ? "image" : "image[]";
    for (int i = 0; i < images.size(); i++) {
      String file = i == 0 ? "image.png" : "reference-" + i + ".png";
      form.file(imageField, file, "image/png", ImageCodec.encodePng(images.get(i), Map.of()));
    }
    mask.ifPresent(m -> form.file("mask", "mask.png", "image/png", MaskPng.encode(m)));
    fields.forEach(form::field);
    return new UpstreamHttp.Request(
        "POST", "/images/edits", form.contentType(), form.toByteArray(), accept);
  }

  private Map<String, String> fields(String model) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("model", model);
    f.put("prompt", prompt);
    f.put("n", Integer.toString(n));
    f.put("size", size.toString());
    if (!quality.equals("auto")) {
      f.put("quality", quality);
    }
    if (model.toLowerCase(Locale.ROOT).startsWith("dall-e")) {
      f.put("response_format", "b64_json");
    } else {
      f.put("output_format", "png");
    }
    if (isEdit() && !inputFidelity.isEmpty()) {
      f.put("input_fidelity", inputFidelity);
    }
    if (partialImages > 0) {
      f.put("stream", "true");
      f.put("partial_images", Integer.toString(partialImages));
    }
    return f;
  }
}
