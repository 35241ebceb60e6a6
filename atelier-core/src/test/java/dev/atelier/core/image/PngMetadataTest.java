package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PngMetadataTest {

  @Test
  void writesTheA1111ParametersThenTheJsonThenSoftware() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("prompt", "a white ceramic cup");
    p.put("negative_prompt", "blurry");
    p.put("steps", "20");
    p.put("scheduler", "euler_a");
    p.put("guidance", "7.5");
    p.put("seed", "42");
    p.put("size", "512x512");
    p.put("model", "sd-turbo");

    Map<String, String> chunks = PngMetadata.textChunks(p);

    assertThat(chunks.keySet()).containsExactly("parameters", "atelier", "Software");
    assertThat(chunks.get("parameters"))
        .isEqualTo(
            "a white ceramic cup\nNegative prompt: blurry\nSteps: 20, Sampler: euler_a, CFG scale:"
                + " 7.5, Seed: 42, Size: 512x512, Model: sd-turbo");
    assertThat(chunks.get("atelier")).startsWith("{\"prompt\":\"a white ceramic cup\"");
    assertThat(chunks.get("Software")).isEqualTo("Atelier");
  }

  @Test
  void leavesOutTheNegativePromptLineWhenThereIsNone() {
    assertThat(PngMetadata.parameters(Map.of("prompt", "cup", "seed", "1")))
        .isEqualTo("cup\nSteps: , Sampler: , CFG scale: , Seed: 1, Size: , Model: ");
  }
}
