package io.portcullis.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.Cidr;
import io.portcullis.config.ClientAddressConfig;
import io.portcullis.config.IpAddresses;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

  static ClientAddressConfig trusting(String header, String... cidrs) {
    return new ClientAddressConfig(java.util.Arrays.stream(cidrs).map(Cidr::parse).toList(), header, false);
  }

  static final ClientAddressConfig XFF = trusting(ClientAddressConfig.X_FORWARDED_FOR, "10.0.0.0/8", "fd00::/8");
  static final ClientAddressConfig FWD = trusting(ClientAddressConfig.FORWARDED, "10.0.0.0/8", "fd00::/8");

  @Test
  void anUntrustedPeerIsTheClientWhateverItsHeadersSay() {
    assertThat(ClientAddress.resolve("203.0.113.9", List.of("198.51.100.1"), XFF)).isEqualTo("203.0.113.9");
    assertThat(ClientAddress.resolve("203.0.113.9", List.of("for=198.51.100.1"), FWD)).isEqualTo("203.0.113.9");
    assertThat(ClientAddress.resolve("203.0.113.9", List.of("10.0.0.1"), XFF)).isEqualTo("203.0.113.9");
    // with no trusted proxy at all, a header is never read
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("198.51.100.1"), ClientAddressConfig.DIRECT)).isEqualTo("10.0.0.1");
  }

  @Test
  void aTrustedPeerVouchesForTheRightMostAddressThatIsNotItselfTrusted() {
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("198.51.100.1"), XFF)).isEqualTo("198.51.100.1");
    // many hops, each trusted proxy appends the address it saw
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("198.51.100.1, 10.1.1.1, 10.2.2.2"), XFF)).isEqualTo("198.51.100.1");
    // header lines are one list, in order
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("198.51.100.1", "10.1.1.1"), XFF)).isEqualTo("198.51.100.1");
    // every hop trusted: the left-most one is the client as far as anyone can tell
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("10.9.9.9, 10.1.1.1"), XFF)).isEqualTo("10.9.9.9");
  }

  @Test
  void whatTheClientPrependsCannotGetPastItsFirstTrustedProxy() {
    // the client sends "X-Forwarded-For: 1.2.3.4" itself; the balancer appends the real address
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("1.2.3.4, 198.51.100.7"), XFF)).isEqualTo("198.51.100.7");
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("10.0.0.5, 198.51.100.7"), XFF)).isEqualTo("198.51.100.7");
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("for=1.2.3.4", "for=198.51.100.7"), FWD)).isEqualTo("198.51.100.7");
    // with Forwarded configured, an X-Forwarded-For line is simply not the header read
    assertThat(ClientAddress.resolve("10.0.0.1", List.of(), FWD)).isEqualTo("10.0.0.1");
  }

  @Test
  void randomSpoofedPrefixesNeverChangeTheAnswer() {
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      StringBuilder spoof = new StringBuilder();
      int n = random.nextInt(5);
      for (int j = 0; j < n; j++) {
        spoof.append(random.nextBoolean() ? "10." + random.nextInt(256) + ".0.1" : random.nextInt(256) + ".1.2.3").append(", ");
      }
      assertThat(ClientAddress.resolve("10.0.0.1", List.of(spoof + "198.51.100.7, 10.3.3.3"), XFF)).isEqualTo("198.51.100.7");
    }
  }

  @Test
  void ipv6PortsQuotesAndCase() {
    assertThat(ClientAddress.resolve("fd00::1", List.of("2001:db8::17"), XFF)).isEqualTo("2001:db8::17");
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("[2001:db8::17]:4711"), XFF)).isEqualTo(IpAddresses.canonical("2001:db8::17"));
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("198.51.100.1:5555"), XFF)).isEqualTo("198.51.100.1");
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("For=\"[2001:db8:cafe::17]:4711\";proto=https;by=10.0.0.1"), FWD))
        .isEqualTo(IpAddresses.canonical("2001:db8:cafe::17"));
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("for=192.0.2.60;proto=http;by=203.0.113.43, for=10.2.2.2"), FWD))
        .isEqualTo("192.0.2.60");
    // an IPv4-mapped peer is the IPv4 address, trusted as such
    assertThat(ClientAddress.resolve("::ffff:10.0.0.1", List.of("198.51.100.1"), XFF)).isEqualTo("198.51.100.1");
    assertThat(ClientAddress.resolve("::ffff:203.0.113.9", List.of(), XFF)).isEqualTo("203.0.113.9");
  }

  @Test
  void aHopThatIsNotAnAddressEndsTheWalkAtTheProxyThatWroteIt() {
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("unknown"), XFF)).isEqualTo("10.0.0.1");
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("198.51.100.1, garbage"), XFF)).isEqualTo("10.0.0.1");
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("198.51.100.1, , 10.1.1.1"), XFF)).isEqualTo("10.1.1.1");
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("for=_hidden"), FWD)).isEqualTo("10.0.0.1");
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("proto=https"), FWD)).isEqualTo("10.0.0.1");
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("for=\"unterminated"), FWD)).isEqualTo("10.0.0.1");
    // a host name is never looked up
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("localhost"), XFF)).isEqualTo("10.0.0.1");
    assertThat(ClientAddress.resolve("10.0.0.1", List.of("fe80::1%eth0"), XFF)).isEqualTo("10.0.0.1");
  }

  @Test
  void blocksMatchTheirAddressesOnly() {
    Cidr v4 = Cidr.parse("192.168.4.0/22");
    assertThat(v4.toString()).isEqualTo("192.168.4.0/22");
    assertThat(v4.contains(IpAddresses.parse("192.168.7.255"))).isTrue();
    assertThat(v4.contains(IpAddresses.parse("192.168.8.0"))).isFalse();
    assertThat(v4.contains(IpAddresses.parse("::ffff:192.168.5.1"))).isTrue();
    assertThat(v4.contains(IpAddresses.parse("2001:db8::1"))).isFalse();
    assertThat(Cidr.parse("10.1.2.3").contains(IpAddresses.parse("10.1.2.3"))).isTrue();
    assertThat(Cidr.parse("10.1.2.3").contains(IpAddresses.parse("10.1.2.4"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(IpAddresses.parse("8.8.8.8"))).isTrue();
    assertThat(Cidr.parse("fd00::/8").contains(IpAddresses.parse("fdff::1"))).isTrue();
    assertThat(Cidr.parse("fd00::/8").contains(IpAddresses.parse("fe00::1"))).isFalse();
    assertThat(Cidr.parse("10.0.0.0/33")).isNull();
    assertThat(Cidr.parse("10.0.0.0/x")).isNull();
    assertThat(Cidr.parse("example.com/8")).isNull();
    assertThat(Cidr.parse("10.0.0.0/8")).isEqualTo(Cidr.parse("10.1.2.3/8"));
  }
}
