package io.portcullis.config;

import java.util.Arrays;

/** An address block, {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a block of one. */
public final class Cidr {

  private final String text;
  private final byte[] network;
  private final int prefix;

  private Cidr(String text, byte[] network, int prefix) {
    this.text = text;
    this.network = network;
    this.prefix = prefix;
  }

  /** The block, or null when the text is not one (never a host name). */
  public static Cidr parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    byte[] address = IpAddresses.parse(slash < 0 ? t : t.substring(0, slash));
    if (address == null) {
      return null;
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        return null;
      }
      if (address.length == 4 && t.substring(0, slash).contains(":")) {
        prefix -= 96; // ::ffff:a.b.c.d/104 is a.b.c.d/8
      }
      if (prefix < 0 || prefix > bits) {
        return null;
      }
    }
    byte[] network = mask(address, prefix);
    return new Cidr(IpAddresses.text(network) + "/" + prefix, network, prefix);
  }

  /** Whether the address (its bytes, as {@link IpAddresses#parse} gives them) is in this block. */
  public boolean contains(byte[] address) {
    return address != null && address.length == network.length && Arrays.equals(mask(address, prefix), network);
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] &= (byte) (0xff << (8 - keep));
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
