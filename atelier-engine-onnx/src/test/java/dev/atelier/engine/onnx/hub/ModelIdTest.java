package dev.atelier.engine.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException.InvalidRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelIdTest {

  @Test
  void parsesIdsWithAndWithoutRevision() {
    assertThat(ModelId.parse("onnx-community/stable-diffusion-v1-5-ONNX"))
        .isEqualTo(new ModelId("onnx-community", "stable-diffusion-v1-5-ONNX", "main"));
    ModelId pr = ModelId.parse("a/b@refs/pr/1");
    assertThat(pr.revision()).isEqualTo("refs/pr/1");
    assertThat(pr.folderName()).isEqualTo("a--b");
    assertThat(pr.revisionFolderName()).isEqualTo("refs--pr--1");
    assertThat(pr).hasToString("a/b@refs/pr/1");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "name", "a/b/c", "../b", "a/..", "a/b@..", "a/b@x/../y", "a--x/b", "a/b@"})
  void rejectsMalformedIds(String text) {
    assertThatThrownBy(() -> ModelId.parse(text))
        .isInstanceOf(InvalidRequest.class)
        .hasMessageContaining("'" + text + "'")
        .satisfies(e -> assertThat(((InvalidRequest) e).param()).isEqualTo("model"));
  }
}
