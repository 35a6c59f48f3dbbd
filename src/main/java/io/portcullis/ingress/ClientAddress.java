package io.portcullis.ingress;

import io.portcullis.config.ClientAddressConfig;
import io.portcullis.config.IpAddresses;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who the client is: the TCP peer (or the address a PROXY protocol header gave), unless that peer is
 * a trusted proxy; then the forwarding header is walked from the right, hop by hop, for as long as
 * each hop is itself trusted, and the first address no trusted proxy stands for is the client. A
 * client can prepend anything to the header, but it cannot get past the entry its first trusted
 * proxy appended. An entry that is not an address ({@code unknown}, an obfuscated {@code _name},
 * garbage) ends the walk at the hop that wrote it.
 */
public final class ClientAddress {

  private ClientAddress() {}

  /**
   * @param peer the peer's address text (IPv4 or IPv6 literal), or null
   * @param headers the values of the configured forwarding header, in the order they arrived
   * @return the client's address in canonical text, or {@code "-"} when nothing is known
   */
  public static String resolve(String peer, List<String> headers, ClientAddressConfig config) {
    byte[] current = IpAddresses.parse(peer);
    if (current == null) {
      return peer == null || peer.isEmpty() ? "-" : peer;
    }
    if (headers.isEmpty() || !config.trusted(current)) {
      return IpAddresses.text(current);
    }
    List<String> hops = new ArrayList<>();
    for (String value : headers) {
      if (ClientAddressConfig.FORWARDED.equals(config.header())) {
        forwardedFor(value, hops);
      } else {
        for (String part : value.split(",", -1)) {
          hops.add(withoutPort(part.trim()));
        }
      }
    }
    for (int i = hops.size() - 1; i >= 0 && config.trusted(current); i--) {
      byte[] next = IpAddresses.parse(hops.get(i));
      if (next == null) {
        break;
      }
      current = next;
    }
    return IpAddresses.text(current);
  }

  /** The {@code for=} value of each element of a {@code Forwarded} header (RFC 7239), in order; "" where absent. */
  static void forwardedFor(String value, List<String> out) {
    for (String element : splitOutsideQuotes(value, ',')) {
      String found = "";
      for (String pair : splitOutsideQuotes(element, ';')) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
          String v = pair.substring(eq + 1).trim();
          if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
            v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
          }
          found = withoutPort(v);
        }
      }
      out.add(found);
    }
  }

  private static List<String> splitOutsideQuotes(String s, char separator) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && quoted && i + 1 < s.length()) {
        part.append(c).append(s.charAt(++i));
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == separator && !quoted) {
        parts.add(part.toString());
        part.setLength(0);
      } else {
        part.append(c);
      }
    }
    parts.add(part.toString());
    return parts;
  }

  /** {@code 192.0.2.1:443} → {@code 192.0.2.1}, {@code [2001:db8::1]:443} → {@code 2001:db8::1}; a bare IPv6 address stays. */
  static String withoutPort(String hop) {
    if (hop.startsWith("[")) {
      int close = hop.indexOf(']');
      return close < 0 ? hop : hop.substring(1, close);
    }
    int colon = hop.indexOf(':');
    if (colon > 0 && hop.indexOf(':', colon + 1) < 0) {
      return hop.substring(0, colon); // one colon: IPv4 with a port
    }
    return hop;
  }
}
