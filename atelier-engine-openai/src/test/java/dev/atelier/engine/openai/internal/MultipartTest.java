package dev.atelier.engine.openai.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MultipartTest {

  @Test
  void writesFieldsAndFilesInRfc7578Form() {
    Multipart m =
        new Multipart("b0undary")
            .field("prompt", "电视 \"quoted\"")
            .file("image[]", "image.png", "image/png", new byte[] {1, 2, 3});

    assertThat(m.contentType()).isEqualTo("multipart/form-data; boundary=b0undary");
    byte[] expected =
        ("--b0undary\r\n"
                + "Content-Disposition: form-data; name=\"prompt\"\r\n\r\n"
                + "电视 \"quoted\"\r\n"
                + "--b0undary\r\n"
                + "Content-Disposition: form-data; name=\"image[]\"; filename=\"image.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n"
                + "\u0001\u0002\u0003\r\n"
                + "--b0undary--\r\n")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(m.toByteArray()).isEqualTo(expected);
  }

  @Test
  void refusesNamesThatWouldBreakTheHeader() {
    assertThatThrownBy(() -> new Multipart("b").field("a\"b", "v"))
        .hasMessage("multipart names must be printable ASCII without quotes but was 'a\"b'");
    assertThatThrownBy(() -> new Multipart("has space"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
