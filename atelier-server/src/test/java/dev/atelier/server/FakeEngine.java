package dev.atelier.server;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.image.RgbImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A working in-memory engine for server tests: generation paints a flat colour derived from the
 * prompt and seed; inpainting repaints exactly the masked pixels; image-to-image and instruction
 * edits shift every pixel. Deterministic, so tests can assert pixels.
 */
final class FakeEngine implements Engine {
  final AtomicInteger calls = new AtomicInteger();
  final List<String> prompts = new ArrayList<>();
  final List<List<dev.atelier.core.Reference>> references = new ArrayList<>();

  @Override
  public String name() {
    return "fake";
  }

  static int colour(String prompt, long seed) {
    return (prompt.hashCode() * 31 + (int) seed) & 0xffffff;
  }

  @Override
  public List<GeneratedImage> generate(
      GenerationRequest r, ProgressListener progress, CancellationToken cancel) {
    calls.incrementAndGet();
    synchronized (prompts) {
      prompts.add(r.prompt());
      references.add(r.references());
    }
    List<GeneratedImage> out = new ArrayList<>();
    SamplingParams s = r.sampling();
    for (int i = 0; i < s.n(); i++) {
      int c = colour(r.prompt(), s.seedOf(i));
      int w = r.size().width();
      int h = r.size().height();
      byte[] rgb = new byte[w * h * 3];
      for (int p = 0; p < w * h; p++) {
        rgb[p * 3] = (byte) (c >> 16);
        rgb[p * 3 + 1] = (byte) (c >> 8);
        rgb[p * 3 + 2] = (byte) c;
      }
      out.add(
          new GeneratedImage(
              new RgbImage(w, h, rgb), s.seedOf(i), params(r.prompt(), s, i, "text-to-image")));
    }
    return out;
  }

  @Override
  public List<GeneratedImage> edit(
      EditRequest r, ProgressListener progress, CancellationToken cancel) {
    calls.incrementAndGet();
    synchronized (prompts) {
      prompts.add(r.prompt());
      references.add(r.references());
    }
    List<GeneratedImage> out = new ArrayList<>();
    SamplingParams s = r.sampling();
    for (int i = 0; i < s.n(); i++) {
      byte[] rgb = r.image().rgb().clone();
      int c = colour(r.prompt(), s.seedOf(i));
      String mode;
      if (r.mode() instanceof EditMode.Inpaint(var mask)) {
        mode = "inpaint";
        for (int p = 0; p < mask.values().length; p++) {
          if (mask.values()[p] >= 0.5f) {
            rgb[p * 3] = (byte) (c >> 16);
            rgb[p * 3 + 1] = (byte) (c >> 8);
            rgb[p * 3 + 2] = (byte) c;
          }
        }
      } else {
        mode = r.mode() instanceof EditMode.Instruct ? "instruct-pix2pix" : "image-to-image";
        for (int p = 0; p < rgb.length; p++) {
          rgb[p] = (byte) (rgb[p] + 17 + i);
        }
      }
      out.add(
          new GeneratedImage(
              new RgbImage(r.image().width(), r.image().height(), rgb),
              s.seedOf(i),
              params(r.prompt(), s, i, mode)));
    }
    return out;
  }

  private static Map<String, String> params(String prompt, SamplingParams s, int i, String mode) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("engine", "fake");
    m.put("model", "fake-model");
    m.put("prompt", prompt);
    m.put("seed", Long.toString(s.seedOf(i)));
    m.put("steps", Integer.toString(s.steps()));
    m.put("scheduler", s.scheduler());
    m.put("mode", mode);
    return m;
  }

  @Override
  public void close() {}
}
