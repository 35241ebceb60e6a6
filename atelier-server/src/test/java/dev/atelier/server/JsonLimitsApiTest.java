package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.JsonValue;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSON bodies are read within {@link RequestLimits} (depth, number and string length) and integer
 * fields are read exactly: each refusal is a 400 naming the field where there is one.
 */
class JsonLimitsApiTest {
  @TempDir Path dir;

  static void refused(ServerFixture.Reply r, String param, String message) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    JsonValue.Obj err = r.json().object("error").orElseThrow();
    assertThat(err.string("param", "")).as(r.body()).isEqualTo(param);
    assertThat(err.string("message", "")).isEqualTo(message);
  }

  @Test
  void deepNestingIsA400NotAStackOverflow() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      refused(
          f.post("/v1/images/generations", "[".repeat(100_000)),
          "",
          "the request body is not valid JSON: JSON nested deeper than 64 levels at offset 64");
      refused(
          f.post(
              "/v1/images/generations", "{\"prompt\":\"a cup\",\"references\":" + "[".repeat(80)),
          "references",
          "the request body is not valid JSON in references: JSON nested deeper than 64 levels at"
              + " offset 94");
    }
  }

  @Test
  void hugeAndNonIntegralNumbersAreRefusedNamingTheField() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      String p = "{\"prompt\":\"a cup\",";
      refused(
          f.post("/v1/images/generations", p + "\"seed\":1e400}"),
          "seed",
          "seed must be an integer 0..2^53-1 but was 1e400");
      refused(
          f.post("/v1/images/generations", p + "\"seed\":9007199254740992}"),
          "seed",
          "seed must be an integer 0..2^53-1 but was 9007199254740992");
      refused(
          f.post("/v1/images/generations", p + "\"n\":" + "9".repeat(400) + "}"),
          "n",
          "the request body is not valid JSON in n: JSON number longer than 64 characters at"
              + " offset 22");
      refused(
          f.post("/v1/images/generations", p + "\"n\":" + "9".repeat(40) + "}"),
          "n",
          "n must be an integer 1..10 but was " + "9".repeat(40));
      refused(
          f.post("/v1/images/generations", p + "\"steps\":2.5}"),
          "steps",
          "steps must be an integer 1..500 but was 2.5");
      refused(
          f.post("/v1/images/generations", p + "\"n\":NaN}"),
          "n",
          "n must be an integer 1..10 but was NaN");
      refused(
          f.post("/v1/images/generations", p + "\"guidance\":-1e999999}"),
          "guidance",
          "guidance must be a number but was -1e999999");
      refused(
          f.post("/v1/images/generations", p + "\"n\":-0}"),
          "n",
          "n must be an integer 1..10 but was -0");
    }
  }

  @Test
  void wholeNumbersWrittenAsFloatsAndMinusZeroAreTheirIntegers() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      int before = f.engine.generations.size();
      ServerFixture.Reply r =
          f.post(
              "/v1/images/generations",
              "{\"prompt\":\"a cup\",\"n\":2.0,\"steps\":1e1,\"seed\":-0,\"noise\":\"batch\"}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().array("data")).hasSize(2);
      var sampling = f.engine.generations.get(before).sampling(); // the call's first image
      assertThat(sampling.steps()).isEqualTo(10);
      assertThat(sampling.seed()).isZero();
    }
  }

  @Test
  void limitsComeFromTheServersRequestLimits() throws Exception {
    RequestLimits d = RequestLimits.DEFAULT;
    RequestLimits tight =
        new RequestLimits(
            d.maxJsonBytes(),
            d.maxMultipartBytes(),
            d.maxParts(),
            3,
            8,
            3000,
            d.maxImagePixels(),
            d.maxImageSide(),
            d.maxImagesPerRequest(),
            d.maxPixelsPerRequest());
    assertThat(tight.jsonLimits()).isEqualTo(new dev.atelier.core.json.Json.Limits(3, 8, 4256));
    assertThat(d.jsonLimits().stringChars()).isGreaterThan(4 * (50 << 20) / 3);
    try (ServerFixture f = ServerFixture.withLimits(dir, tight)) {
      refused(
          f.post("/v1/images/generations", "{\"prompt\":\"a cup\",\"references\":[[[1]]]}"),
          "references",
          "the request body is not valid JSON in references: JSON nested deeper than 3 levels at"
              + " offset 33");
      refused(
          f.post("/v1/images/generations", "{\"prompt\":\"a cup\",\"seed\":123456789}"),
          "seed",
          "the request body is not valid JSON in seed: JSON number longer than 8 characters at"
              + " offset 25");
      refused(
          f.post("/v1/images/generations", "{\"prompt\":\"" + "a".repeat(5000) + "\"}"),
          "prompt",
          "the request body is not valid JSON in prompt: JSON string longer than 4256 characters"
              + " at offset 10");
    }
  }

  @Test
  void invalidUtf8AndLoneSurrogatesAreRefusedNotReplaced() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      byte[] body =
          "{\"prompt\":\"a \u00ff cup\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      body[13] = (byte) 0xff; // ÿ is bytes 13-14: 0xff is never UTF-8
      var r =
          f.http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.base() + "/v1/edits/plan"))
                  .header("Content-Type", "application/json")
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body())
          .contains(
              "the request body is not valid JSON: JSON text must be UTF-8 but byte 13 is not");
      refused(
          f.post("/v1/images/generations", "{\"prompt\":\"a \\ud800 cup\"}"),
          "prompt",
          "the request body is not valid JSON in prompt: invalid JSON at offset 19: expected a low"
              + " surrogate escape after a high surrogate but found ' '");
    }
  }
}
