package dev.atelier.server.images;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What an upstream image model costs per million tokens, so sessions can report their spend.
 *
 * <p>The bundled table holds OpenAI's published token prices for {@code gpt-image-1} (text input
 * $5, image input $10, image output $40) and {@code gpt-image-1-mini} ($2, $2.50, $8). Prices for
 * other models (GPT-Image-2 included) were not published where we could read them, so they are
 * unknown until a table file names them ({@code --price-table FILE}):
 *
 * <pre>{"gpt-image-2": {"input_text": 5.0, "input_image": 10.0, "output": 40.0}}</pre>
 *
 * <p>A model without a price gets no cost (null on the wire), never a guess.
 */
public final class PriceTable {
  /**
   * Dollars per million tokens.
   *
   * @param inputText text tokens of the prompt
   * @param inputImage image tokens of input images
   * @param output image tokens of the output
   */
  public record Price(double inputText, double inputImage, double output) {
    /** Validates the prices. */
    public Price {
      if (!(inputText >= 0 && inputImage >= 0 && output >= 0)) {
        throw new IllegalArgumentException("prices must be >= 0");
      }
    }
  }

  private final Map<String, Price> prices;

  private PriceTable(Map<String, Price> prices) {
    this.prices = Map.copyOf(prices);
  }

  /** OpenAI's published prices for the models we know them of. */
  public static PriceTable bundled() {
    Map<String, Price> m = new LinkedHashMap<>();
    m.put("gpt-image-1", new Price(5.0, 10.0, 40.0));
    m.put("gpt-image-1-mini", new Price(2.0, 2.5, 8.0));
    return new PriceTable(m);
  }

  /** A table with no prices (local engine: nothing is billed). */
  public static PriceTable empty() {
    return new PriceTable(Map.of());
  }

  /**
   * The bundled table with the entries of a JSON file added or replaced.
   *
   * @throws IllegalArgumentException naming the file, the model and the field that is wrong
   */
  public static PriceTable load(Path file) throws IOException {
    JsonValue root;
    try {
      root = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    if (!(root instanceof JsonValue.Obj obj)) {
      throw new IllegalArgumentException(file + " must hold a JSON object of model -> prices");
    }
    Map<String, Price> m = new LinkedHashMap<>(bundled().prices);
    for (Map.Entry<String, JsonValue> e : obj.members().entrySet()) {
      if (!(e.getValue() instanceof JsonValue.Obj p)) {
        throw new IllegalArgumentException(
            file + ": " + e.getKey() + " must be an object {input_text, input_image, output}");
      }
      m.put(
          e.getKey(),
          new Price(
              price(file, e.getKey(), p, "input_text"),
              price(file, e.getKey(), p, "input_image"),
              price(file, e.getKey(), p, "output")));
    }
    return new PriceTable(m);
  }

  private static double price(Path file, String model, JsonValue.Obj p, String field) {
    if (p.get(field).orElse(null) instanceof JsonValue.Num n && n.value() >= 0) {
      return n.value();
    }
    throw new IllegalArgumentException(
        file
            + ": "
            + model
            + "."
            + field
            + " must be a number >= 0 (dollars per million tokens) but was "
            + p.get(field).map(Object::toString).orElse("missing"));
  }

  /** The price of {@code model}, if known. */
  public Optional<Price> price(String model) {
    return Optional.ofNullable(prices.get(model));
  }

  /**
   * What the tokens cost with {@code model}'s prices. Input tokens without a text/image split are
   * priced as image tokens (the dearer kind), so the figure is never below the bill.
   */
  public Optional<Double> cost(String model, TokenUsage usage) {
    return price(model)
        .map(
            p -> {
              long split = usage.inputTextTokens() + usage.inputImageTokens();
              long unsplit = Math.max(0, usage.inputTokens() - split);
              return (usage.inputTextTokens() * p.inputText()
                      + (usage.inputImageTokens() + unsplit) * p.inputImage()
                      + usage.outputTokens() * p.output())
                  / 1_000_000.0;
            });
  }
}
