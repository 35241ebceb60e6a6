package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Ciede2000Test {

  /** One row of Sharma, Wu and Dalal's Table 1. */
  record Pair(int number, double[] first, double[] second, double expected) {
    @Override
    public String toString() {
      return "pair " + number;
    }
  }

  static Stream<Pair> sharmaTable() throws IOException {
    List<Pair> pairs = new ArrayList<>();
    try (InputStream in =
            Ciede2000Test.class.getResourceAsStream("/ciede2000/sharma2005-table1.csv");
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        double[] v = Stream.of(line.split(",")).mapToDouble(Double::parseDouble).toArray();
        pairs.add(
            new Pair(
                (int) v[0],
                new double[] {v[1], v[2], v[3]},
                new double[] {v[4], v[5], v[6]},
                v[7]));
      }
    }
    return pairs.stream();
  }

  @Test
  void tableHoldsAllThirtyFourPairs() throws IOException {
    assertThat(sharmaTable().map(Pair::number)).containsExactlyElementsOf(rangeTo(34));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sharmaTable")
  void matchesSharmaWuDalalTable1(Pair p) {
    double[] a = p.first();
    double[] b = p.second();
    assertThat(Ciede2000.deltaE(a[0], a[1], a[2], b[0], b[1], b[2]))
        .isCloseTo(p.expected(), within(1e-4));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sharmaTable")
  void isSymmetric(Pair p) {
    double[] a = p.first();
    double[] b = p.second();
    assertThat(Ciede2000.deltaE(b[0], b[1], b[2], a[0], a[1], a[2]))
        .isCloseTo(p.expected(), within(1e-4));
  }

  @Test
  void identicalColoursDifferByZero() {
    assertThat(Ciede2000.deltaE(50, 2.5, -3, 50, 2.5, -3)).isZero();
    assertThat(Ciede2000.deltaE(0, 0, 0, 0, 0, 0)).isZero();
    ColorSpaces.Lab red = ColorSpaces.srgbToLab(255, 0, 0);
    assertThat(Ciede2000.deltaE(red, red)).isZero();
  }

  @Test
  void lightnessAloneAtMidGreyIsUnweighted() {
    // At L* = 50 the lightness weight S_L is exactly 1 and neutral colours have no chroma or hue
    // terms, so a pure lightness step of d between L* = 50 - d/2 and 50 + d/2 gives d.
    assertThat(Ciede2000.deltaE(49, 0, 0, 51, 0, 0)).isCloseTo(2.0, within(1e-3));
  }

  @Test
  void labOverloadAgreesWithComponents() {
    ColorSpaces.Lab a = new ColorSpaces.Lab(60.2574, -34.0099, 36.2677);
    ColorSpaces.Lab b = new ColorSpaces.Lab(60.4626, -34.1751, 39.4387);
    assertThat(Ciede2000.deltaE(a, b)).isCloseTo(1.2644, within(1e-4));
  }

  private static List<Integer> rangeTo(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(i);
    }
    return out;
  }
}
