package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.portcullis.server.Configs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The price table: the shipped list, config on top, which entry prices a model, and the arithmetic. */
class PriceTableTest {

  static final String BASE = """
      providers: [{name: a, base_url: "http://127.0.0.1:1/v1"}]
      models: [{name: m, targets: [{provider: a}]}]
      """;

  static GatewayConfig parse(String yaml) throws Exception {
    return Configs.loader(Map.of()).parse(yaml, null);
  }

  static List<String> problems(String yaml) {
    try {
      parse(yaml);
    } catch (ConfigException e) {
      return e.problems();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("config was accepted:\n" + yaml);
  }

  @Test
  void anExactNameWinsOverAGlobAndALongerGlobOverAShorterOne() {
    PriceTable table = PriceTable.of(Map.of());
    assertThat(table.of("gpt-4o-mini-2024-07-18")).isEqualTo(new PriceTable.Price(0.15, 0.60, 0.075));
    assertThat(table.of("gpt-4o-2024-08-06")).isEqualTo(new PriceTable.Price(2.50, 10.00, 1.25));
    assertThat(table.of("claude-sonnet-4-20250514").output()).isEqualTo(15.00);
    assertThat(table.of("gemini-2.0-flash").input()).isEqualTo(0.10);
    assertThat(table.of("text-embedding-3-small").input()).isEqualTo(0.02);
    assertThat(table.of("my-own-model")).isNull();
    PriceTable mine = PriceTable.of(Map.of("gpt-4o-mini-2024-07-18", new PriceTable.Price(1, 2, 0.5), "my-*", new PriceTable.Price(3, 4, 3)));
    assertThat(mine.of("gpt-4o-mini-2024-07-18")).isEqualTo(new PriceTable.Price(1, 2, 0.5));
    assertThat(mine.of("gpt-4o-mini-2025")).isEqualTo(new PriceTable.Price(0.15, 0.60, 0.075));
    assertThat(mine.of("my-own-model")).isEqualTo(new PriceTable.Price(3, 4, 3));
  }

  @Test
  void cachedTokensArePricedApartWhetherTheInputCountsThemOrNot() {
    PriceTable.Price p = new PriceTable.Price(2.00, 8.00, 0.50);
    // OpenAI and Gemini: 1,000 prompt tokens of which 400 were cached; 100 out
    assertThat(p.cost(1000, 100, 400, true)).isCloseTo((600 * 2.00 + 400 * 0.50 + 100 * 8.00) / 1e6, within(1e-12));
    // Anthropic: 600 input tokens and 400 more read from the cache
    assertThat(p.cost(600, 100, 400, false)).isCloseTo((600 * 2.00 + 400 * 0.50 + 100 * 8.00) / 1e6, within(1e-12));
    // no cache figures at all
    assertThat(p.cost(1000, 100, -1, true)).isCloseTo((1000 * 2.00 + 100 * 8.00) / 1e6, within(1e-12));
  }

  @Test
  void configPricesGoOnTopAndAreChecked() throws Exception {
    GatewayConfig c = parse(BASE + "prices: {\"m*\": {input: 1.5, output: 6}, gpt-4o-mini: {input: 9, output: 9, cached_input: 1}}\n");
    assertThat(c.prices().of("m-1")).isEqualTo(new PriceTable.Price(1.5, 6, 1.5)); // no cached price: the input price
    assertThat(c.prices().of("gpt-4o-mini")).isEqualTo(new PriceTable.Price(9, 9, 1));
    assertThat(c.prices().of("claude-3-5-haiku-20241022").input()).isEqualTo(0.80);
    assertThat(problems(BASE + "prices: {x: {input: 1}}\n")).containsExactly("prices.x.output: is required (USD per million tokens)");
    assertThat(problems(BASE + "prices: {x: {input: -1, output: 1}}\n")).hasSize(1);
    assertThat(problems(BASE + "prices: {x: {input: 1, output: 1, per: token}}\n")).hasSize(1);
  }
}
