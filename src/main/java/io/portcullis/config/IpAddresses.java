package io.portcullis.config;

import io.netty.util.NetUtil;

/**
 * IP address literals as bytes, without ever asking DNS (a name is not an address here). IPv4-mapped
 * IPv6 addresses ({@code ::ffff:192.0.2.1}) are their IPv4 address, so one client has one spelling.
 */
public final class IpAddresses {

  private IpAddresses() {}

  /** The address's 4 or 16 bytes, or null when the text is not an IP literal (brackets allowed around IPv6). */
  public static byte[] parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    String t = text.length() > 2 && text.charAt(0) == '[' && text.charAt(text.length() - 1) == ']'
        ? text.substring(1, text.length() - 1) : text;
    if (t.indexOf('%') >= 0) {
      return null; // a zone id is local to one host: not a client address
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(t);
    if (bytes == null) {
      return null;
    }
    if (bytes.length == 16 && isV4Mapped(bytes)) {
      return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
    }
    return bytes;
  }

  /** The canonical text of an address's bytes ({@code 2001:db8::1}, {@code 192.0.2.1}). */
  public static String text(byte[] bytes) {
    return NetUtil.bytesToIpAddress(bytes);
  }

  /** The canonical text of an address literal, or null when it is not one. */
  public static String canonical(String text) {
    byte[] bytes = parse(text);
    return bytes == null ? null : text(bytes);
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }
}
