package dev.atelier.engine.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.engine.onnx.hub.RegistryEntry.Capability;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {

  @Test
  void bundledRegistryHasItsModels() {
    ModelRegistry registry = ModelRegistry.bundled();

    assertThat(registry.entries())
        .extracting(RegistryEntry::name)
        .containsExactly(
            "sd15", "lcm-dreamshaper-v7", "clipseg", "sd-turbo", "sdxl", "sdxl-turbo", "taesd");
    RegistryEntry sd15 = registry.find("sd15").orElseThrow();
    assertThat(sd15.repo()).isEqualTo("onnx-community/stable-diffusion-v1-5-ONNX");
    assertThat(sd15.licence()).contains("OpenRAIL-M");
    assertThat(sd15.capabilities()).contains(Capability.TEXT_TO_IMAGE);
    assertThat(registry.find("clipseg").orElseThrow().capabilities())
        .containsExactly(Capability.GROUNDING);
    assertThat(registry.find("taesd").orElseThrow().capabilities())
        .containsExactly(Capability.TINY_DECODER);
    assertThat(registry.find("taesd").orElseThrow().repo()).isEqualTo("deinferno/taesd-onnx");
    RegistryEntry sdxl = registry.find("sdxl").orElseThrow();
    assertThat(sdxl.modelId().toString())
        .isEqualTo(
            "stabilityai/stable-diffusion-xl-base-1.0@51f73290e8342333ca42c7b9f4fb07526f6d1fb9");
    assertThat(sdxl.licence()).contains("openrail++");
    RegistryEntry turbo = registry.find("sdxl-turbo").orElseThrow();
    assertThat(turbo.modelId().toString())
        .isEqualTo("stabilityai/sdxl-turbo@fbda35297a8280789ffe2e25206800702fa5c4c1");
    assertThat(turbo.licence()).contains("sai-nc-community");
    assertThat(turbo.capabilities()).containsExactly(Capability.TEXT_TO_IMAGE);
  }

  @Test
  void defaultIsTheMitLicensedFewStepModel() {
    RegistryEntry d = ModelRegistry.bundled().defaultModel();

    assertThat(d.name()).isEqualTo("lcm-dreamshaper-v7");
    assertThat(d.licence()).isEqualTo("MIT");
  }

  @Test
  void expandTurnsShortNamesIntoIdsAndLeavesOthersAlone() {
    ModelRegistry registry = ModelRegistry.bundled();

    assertThat(registry.expand("clipseg")).isEqualTo("Xenova/clipseg-rd64-refined@main");
    assertThat(registry.expand("me/mine@v2")).isEqualTo("me/mine@v2");
  }

  @Test
  void malformedEntriesAreNamed() {
    String json =
        """
        {"models": [{"name": "x", "repo": "a/b", "capabilities": ["flying"]}], "default": "x"}
        """;

    assertThatThrownBy(() -> ModelRegistry.parse(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("registry entry 'x' is malformed")
        .hasMessageContaining("but was 'flying'");
    assertThatThrownBy(() -> ModelRegistry.parse("{\"models\": [], \"default\": \"y\"}"))
        .hasMessageContaining("registry default must be one of [] but was 'y'");
  }
}
