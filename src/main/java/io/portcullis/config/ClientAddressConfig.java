package io.portcullis.config;

import java.util.List;

/**
 * How the gateway tells who the client is when it runs behind proxies (load balancers, CDNs).
 *
 * @param trustedProxies peers whose word about the client is taken; none by default, so the TCP peer
 *     is the client and forwarding headers are ignored
 * @param header the forwarding header the trusted proxies write: {@code x-forwarded-for} or
 *     {@code forwarded} (RFC 7239); one only, since a client could send the other one itself
 * @param proxyProtocol the listener expects the PROXY protocol (v1 or v2) on every connection, and
 *     takes the address it carries as the peer
 */
public record ClientAddressConfig(List<Cidr> trustedProxies, String header, boolean proxyProtocol) {

  public static final String X_FORWARDED_FOR = "x-forwarded-for";
  public static final String FORWARDED = "forwarded";
  public static final ClientAddressConfig DIRECT = new ClientAddressConfig(List.of(), X_FORWARDED_FOR, false);

  public ClientAddressConfig {
    trustedProxies = List.copyOf(trustedProxies);
  }

  /** Whether an address (as {@link IpAddresses#parse} gives it) belongs to a trusted proxy. */
  public boolean trusted(byte[] address) {
    for (Cidr c : trustedProxies) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
