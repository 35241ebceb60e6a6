package dev.atelier.engine.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.Reference;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.Mask;
import java.awt.image.BufferedImage;
import java.util.List;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

class EditTest extends UpstreamTestSupport {

  /** A 16x16 mask that marks the left half for editing. */
  private static Mask leftHalf() {
    float[] v = new float[16 * 16];
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 8; x++) {
        v[y * 16 + x] = 1f;
      }
    }
    return new Mask(16, 16, v);
  }

  private static EditRequest inpaint() {
    return new EditRequest(
        "change the sofa to deep emerald green",
        solid(16, 16, 0x808080),
        new EditMode.Inpaint(leftHalf()),
        SamplingParams.builder().n(2).quality("medium").build());
  }

  @Test
  void postsMultipartWithTheImageAndTheMaskInOpenAisConvention() throws Exception {
    server.enqueue(json(200, imagesJson(usage(300, 4000, 20, 280), 1, 2)));

    List<GeneratedImage> images =
        engine().edit(inpaint(), ProgressListener.NONE, CancellationToken.none());

    RecordedRequest r = take();
    assertThat(r.getTarget()).isEqualTo("/v1/images/edits");
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
    assertThat(r.getHeaders().get("Content-Type")).startsWith("multipart/form-data; boundary=");
    List<Part> parts = parts(r);
    assertThat(parts)
        .extracting(Part::name)
        .containsExactly(
            "image", "mask", "model", "prompt", "n", "size", "quality", "output_format");
    Part image = parts.get(0);
    assertThat(image.fileName()).isEqualTo("image.png");
    assertThat(image.contentType()).isEqualTo("image/png");
    assertThat(ImageCodec.decode(image.content(), ImageLimits.DEFAULT))
        .isEqualTo(solid(16, 16, 0x808080));
    Part mask = parts.get(1);
    assertThat(mask.fileName()).isEqualTo("mask.png");
    assertThat(mask.contentType()).isEqualTo("image/png");
    BufferedImage decoded = ImageCodec.decodeRaw(mask.content(), ImageLimits.DEFAULT);
    assertThat(decoded.getColorModel().hasAlpha()).isTrue();
    assertThat(decoded.getRGB(2, 5) >>> 24).as("alpha where the mask says edit").isZero();
    assertThat(decoded.getRGB(12, 5) >>> 24).as("alpha where the mask says keep").isEqualTo(255);
    assertThat(Mask.fromAlpha(decoded)).isEqualTo(leftHalf());
    assertThat(parts.subList(2, parts.size()))
        .extracting(Part::text)
        .containsExactly(
            "gpt-image-2", "change the sofa to deep emerald green", "2", "16x16", "medium", "png");
    assertThat(parts.subList(2, parts.size())).allSatisfy(p -> assertThat(p.fileName()).isEmpty());
    assertThat(images.get(0).parameters())
        .containsEntry("mode", "inpaint")
        .containsEntry("usage.input_image_tokens", "280");
  }

  @Test
  void sendsReferencesAfterTheImageToEditAsImageArrayWithInputFidelity() throws Exception {
    server.enqueue(json(200, imagesJson("", 5)));
    EditRequest request =
        new EditRequest(
            "put the character of the second image into the first",
            solid(16, 16, 0x111111),
            new EditMode.ImageToImage(0.6),
            SamplingParams.builder().build());
    UpstreamReferences refs =
        UpstreamReferences.of(List.of(solid(8, 8, 0x222222), solid(8, 16, 0x333333)))
            .withInputFidelity("high");

    GeneratedImage image =
        engine().edit(request, refs, ProgressListener.NONE, CancellationToken.none()).get(0);

    List<Part> parts = parts(take());
    List<Part> files = parts.stream().filter(p -> p.name().equals("image[]")).toList();
    assertThat(files)
        .extracting(Part::fileName)
        .containsExactly("image.png", "reference-1.png", "reference-2.png");
    assertThat(files)
        .extracting(p -> ImageCodec.decode(p.content(), ImageLimits.DEFAULT))
        .containsExactly(solid(16, 16, 0x111111), solid(8, 8, 0x222222), solid(8, 16, 0x333333));
    assertThat(parts).extracting(Part::name).doesNotContain("image", "mask", "strength", "quality");
    assertThat(parts)
        .filteredOn(p -> p.name().equals("input_fidelity"))
        .extracting(Part::text)
        .containsExactly("high");
    assertThat(image.parameters())
        .containsEntry("mode", "image-to-image")
        .containsEntry("strength", "0.6")
        .containsEntry("strength_forwarded", "false")
        .containsEntry("references", "2")
        .containsEntry("input_fidelity", "high");
  }

  @Test
  void generatesWithReferencesThroughTheEditsEndpoint() throws Exception {
    server.enqueue(json(200, imagesJson("", 9)));
    UpstreamReferences refs = UpstreamReferences.of(List.of(solid(16, 16, 0x445566)));

    GeneratedImage image =
        engine()
            .generate(generation(1, 16), refs, ProgressListener.NONE, CancellationToken.none())
            .get(0);

    RecordedRequest r = take();
    assertThat(r.getTarget()).isEqualTo("/v1/images/edits");
    List<Part> parts = parts(r);
    assertThat(parts.get(0).name()).isEqualTo("image");
    assertThat(ImageCodec.decode(parts.get(0).content(), ImageLimits.DEFAULT))
        .isEqualTo(solid(16, 16, 0x445566));
    assertThat(image.parameters())
        .containsEntry("mode", "reference-to-image")
        .containsEntry("references", "1");
  }

  @Test
  void referencesOfTheCoreRequestBecomeInputImagesThroughTheEngineInterface() throws Exception {
    server.enqueue(json(200, imagesJson("", 9)));
    server.enqueue(json(200, imagesJson("", 9)));
    var style = new dev.atelier.core.Reference(solid(16, 16, 0x445566), Reference.Role.STYLE, 1);
    var subject = new dev.atelier.core.Reference(solid(8, 8, 0x112233), Reference.Role.SUBJECT, 1);
    GenerationRequest g =
        new GenerationRequest(
            "a poster", new ImageSize(16, 16), SamplingParams.builder().build(), List.of(style));
    engine().generate(g, ProgressListener.NONE, CancellationToken.none());
    RecordedRequest first = take();
    assertThat(first.getTarget()).isEqualTo("/v1/images/edits");
    assertThat(ImageCodec.decode(parts(first).get(0).content(), ImageLimits.DEFAULT))
        .isEqualTo(solid(16, 16, 0x445566));

    EditRequest e =
        new EditRequest(
            "put the product on the table",
            solid(16, 16, 0x808080),
            new EditMode.ImageToImage(0.6),
            SamplingParams.builder().build(),
            List.of(subject));
    engine().edit(e, ProgressListener.NONE, CancellationToken.none());
    List<Part> parts = parts(take());
    List<Part> images = parts.stream().filter(p -> p.name().equals("image[]")).toList();
    assertThat(images).hasSize(2);
    assertThat(ImageCodec.decode(images.get(0).content(), ImageLimits.DEFAULT))
        .isEqualTo(solid(16, 16, 0x808080));
    assertThat(ImageCodec.decode(images.get(1).content(), ImageLimits.DEFAULT))
        .isEqualTo(solid(8, 8, 0x112233));
  }

  @Test
  void sendsAnInstructionEditAsAPlainEdit() throws Exception {
    server.enqueue(json(200, imagesJson("", 9)));
    EditRequest request =
        new EditRequest(
            "make it a watercolor painting",
            solid(16, 16, 0),
            new EditMode.Instruct(1.5),
            SamplingParams.builder().build());

    GeneratedImage image =
        engine().edit(request, ProgressListener.NONE, CancellationToken.none()).get(0);

    assertThat(parts(take()))
        .extracting(Part::name)
        .containsExactly("image", "model", "prompt", "n", "size", "output_format");
    assertThat(image.parameters())
        .containsEntry("mode", "instruct")
        .containsEntry("image_guidance_forwarded", "false");
  }

  @Test
  void masksMarkOnlyPixelsAtOrAboveOneHalfAsEdit() {
    Mask soft = new Mask(2, 1, new float[] {0.49f, 0.5f});
    BufferedImage png =
        ImageCodec.decodeRaw(
            dev.atelier.engine.openai.internal.MaskPng.encode(soft), ImageLimits.DEFAULT);
    assertThat(png.getRGB(0, 0) >>> 24).isEqualTo(255);
    assertThat(png.getRGB(1, 0) >>> 24).isZero();
  }
}
