package io.portcullis.config;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What a model's tokens cost, in US dollars per million tokens, by upstream model name: the shipped
 * table ({@link #SHIPPED}, list prices the providers published in 2025) with the config's
 * {@code prices} on top (an entry of the same name replaces a shipped one). A name may be a glob
 * ({@code gpt-4o-mini*} also prices {@code gpt-4o-mini-2024-07-18}); an exact name wins over a glob,
 * a longer glob over a shorter one.
 */
public final class PriceTable {

  /**
   * One model's prices.
   *
   * @param input a million prompt tokens not read from a cache
   * @param output a million completion tokens (reasoning included)
   * @param cachedInput a million prompt tokens read from the provider's prompt cache
   */
  public record Price(double input, double output, double cachedInput) {

    /** The cost of one request's usage: cached prompt tokens at their price, the rest of the prompt at the input price. */
    public double cost(long input, long output, long cachedInput, boolean cachedInInput) {
      long cached = Math.max(0, cachedInput);
      long uncached = Math.max(0, cachedInInput ? input - cached : input);
      return (uncached * this.input + cached * this.cachedInput + Math.max(0, output) * this.output) / 1_000_000.0;
    }
  }

  /** List prices (USD per million tokens) as the providers published them in 2025; override them in config. */
  public static final Map<String, Price> SHIPPED = shipped();

  private static Map<String, Price> shipped() {
    Map<String, Price> p = new LinkedHashMap<>();
    p.put("gpt-4o*", new Price(2.50, 10.00, 1.25));
    p.put("gpt-4o-mini*", new Price(0.15, 0.60, 0.075));
    p.put("gpt-4.1*", new Price(2.00, 8.00, 0.50));
    p.put("gpt-4.1-mini*", new Price(0.40, 1.60, 0.10));
    p.put("gpt-4.1-nano*", new Price(0.10, 0.40, 0.025));
    p.put("o3*", new Price(2.00, 8.00, 0.50));
    p.put("o4-mini*", new Price(1.10, 4.40, 0.275));
    p.put("text-embedding-3-small", new Price(0.02, 0, 0));
    p.put("text-embedding-3-large", new Price(0.13, 0, 0));
    p.put("claude-opus-4*", new Price(15.00, 75.00, 1.50));
    p.put("claude-sonnet-4*", new Price(3.00, 15.00, 0.30));
    p.put("claude-3-7-sonnet*", new Price(3.00, 15.00, 0.30));
    p.put("claude-3-5-haiku*", new Price(0.80, 4.00, 0.08));
    p.put("gemini-2.5-pro*", new Price(1.25, 10.00, 0.31));
    p.put("gemini-2.5-flash*", new Price(0.30, 2.50, 0.075));
    p.put("gemini-2.0-flash*", new Price(0.10, 0.40, 0.025));
    return Map.copyOf(p);
  }

  private final Map<String, Price> prices;
  /** The globs, longest first (the first that matches wins). */
  private final List<Map.Entry<Pattern, Price>> globs;
  /** Lookups by model name (a config has few models; each is looked up once). */
  private final Map<String, Optional<Price>> found = new ConcurrentHashMap<>();

  private PriceTable(Map<String, Price> prices) {
    this.prices = Map.copyOf(prices);
    this.globs = prices.entrySet().stream().filter(e -> e.getKey().contains("*") || e.getKey().contains("?"))
        .sorted(Comparator.comparingInt((Map.Entry<String, Price> e) -> e.getKey().length()).reversed())
        .map(e -> Map.entry(Glob.compile(e.getKey()), e.getValue())).toList();
  }

  /** Every model name or glob and its price. */
  public Map<String, Price> prices() {
    return prices;
  }

  /** The shipped table with {@code overrides} on top. */
  public static PriceTable of(Map<String, Price> overrides) {
    Map<String, Price> all = new LinkedHashMap<>(SHIPPED);
    all.putAll(overrides);
    return new PriceTable(all);
  }

  /** The price of an upstream model, or null when the table has none. */
  public Price of(String model) {
    return found.computeIfAbsent(model, m -> {
      Price exact = prices.get(m);
      if (exact != null) {
        return Optional.of(exact);
      }
      return globs.stream().filter(g -> g.getKey().matcher(m).matches()).map(Map.Entry::getValue).findFirst();
    }).orElse(null);
  }

  /** Reservation prices by the upstream models a route may ask (a route has few targets: each list once). */
  private final Map<List<String>, Optional<Price>> highest = new ConcurrentHashMap<>();

  /**
   * The highest price any of these upstream models has, part by part (a reservation is made before
   * the gateway knows which target will answer: it must cover the dearest); null when one has none.
   */
  public Price highest(List<String> models) {
    return highest.computeIfAbsent(models, ms -> {
      double in = 0;
      double out = 0;
      double cached = 0;
      for (String m : ms) {
        Price p = of(m);
        if (p == null) {
          return Optional.empty();
        }
        in = Math.max(in, p.input());
        out = Math.max(out, p.output());
        cached = Math.max(cached, p.cachedInput());
      }
      return Optional.of(new Price(in, out, cached));
    }).orElse(null);
  }

  /** The model names the table prices, for the docs. */
  public List<String> names() {
    return List.copyOf(prices.keySet());
  }
}
