#include "edge/server/address_limiter.h"

#include <arpa/inet.h>
#include <xxhash.h>

#include <charconv>
#include <cstring>

#include "origin-sync/assert.h"

namespace relais {
namespace {

bool prefix_matches(const std::uint8_t* address, const std::uint8_t* network, unsigned bits) {
  unsigned whole = bits / 8;
  if (std::memcmp(address, network, whole) != 0) return false;
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (address[whole] & mask) == (network[whole] & mask);
}

std::size_t round_up_power_of_two(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

template <typename T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<NetworkLimits> parse_network_limits(std::string_view text) {
  auto bad = [&](const char* why) { return Error::config("'" + std::string(text) + "': " + why); };
  auto eq = text.find('=');
  auto slash = text.find('/');
  if (eq == std::string_view::npos || slash == std::string_view::npos || slash > eq)
    return bad("expected CIDR=CONNECTIONS:RATE:BURST, e.g. 10.0.0.0/8=2000:500:1000");
  NetworkLimits n;
  std::string address(text.substr(0, slash));
  unsigned prefix = 0;
  if (!parse_number(text.substr(slash + 1, eq - slash - 1), prefix)) return bad("bad prefix length");
  if (::inet_pton(AF_INET, address.c_str(), n.address) == 1) {
    n.family = AF_INET;
    if (prefix > 32) return bad("IPv4 prefix length is at most 32");
  } else if (::inet_pton(AF_INET6, address.c_str(), n.address) == 1) {
    n.family = AF_INET6;
    if (prefix > 128) return bad("IPv6 prefix length is at most 128");
  } else {
    return bad("not an IP address");
  }
  n.prefix_length = static_cast<std::uint8_t>(prefix);
  std::string_view limits = text.substr(eq + 1);
  auto c1 = limits.find(':');
  auto c2 = c1 == std::string_view::npos ? c1 : limits.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return bad("limits are CONNECTIONS:RATE:BURST");
  if (!parse_number(limits.substr(0, c1), n.limits.connections) ||
      !parse_number(limits.substr(c1 + 1, c2 - c1 - 1), n.limits.rate) ||
      !parse_number(limits.substr(c2 + 1), n.limits.burst) || !valid_rate(n.limits.rate) ||
      !valid_burst(n.limits.burst))
    return bad("limits are CONNECTIONS:RATE:BURST, RATE 0 (off) or 0.001 to 1e9, BURST 0 to 1e9");
  return n;
}

AddressLimiter::AddressLimiter(AddressLimits defaults, std::vector<NetworkLimits> networks, std::size_t slots,
                               std::uint64_t seed)
    : defaults_(defaults),
      networks_(std::move(networks)),
      slots_(new Slot[round_up_power_of_two(slots < 2 ? 2 : slots)]),
      slot_mask_(round_up_power_of_two(slots < 2 ? 2 : slots) - 1),
      seed_(seed) {
  RELAIS_ASSERT(networks_.size() <= kMaxNetworks);  // checked with the configuration
  enabled_ = defaults_.connections != 0 || defaults_.rate != 0;
  for (const auto& n : networks_) enabled_ = enabled_ || n.limits.connections != 0 || n.limits.rate != 0;
}

AddressLimiter::Ticket AddressLimiter::ticket(const PeerAddress& peer) const {
  Ticket t;
  t.limits = 1;
  unsigned best = 0;
  for (std::size_t i = 0; i < networks_.size(); ++i) {
    const NetworkLimits& n = networks_[i];
    if (n.family == peer.family && n.prefix_length >= best && prefix_matches(peer.bytes, n.address, n.prefix_length)) {
      best = n.prefix_length;
      t.limits = static_cast<std::uint32_t>(2 + i) & 0xff;
    }
  }
  // An IPv6 subscriber owns a /64: its addresses count as one client.
  std::size_t length = peer.family == AF_INET ? 4 : 8;
  std::uint8_t key[9];
  std::memcpy(key, peer.bytes, length);
  key[length] = peer.family;
  std::uint64_t hash = XXH3_64bits_withSeed(key, length + 1, seed_);
  t.tag = static_cast<std::uint32_t>(hash >> 40) | 1;  // 0 means "no owner"
  t.slot = static_cast<std::uint32_t>(hash & slot_mask_);
  return t;
}

const AddressLimits& AddressLimiter::limits_of(const Ticket& t) const {
  RELAIS_ASSERT(t.limited());
  return t.limits == 1 ? defaults_ : networks_[t.limits - 2].limits;
}

AddressLimiter::Slot& AddressLimiter::claim(const Ticket& t, std::uint64_t now_us) {
  Slot& slot = slots_[t.slot];
  std::uint32_t owner = slot.owner.load(std::memory_order_acquire);
  if (owner != t.tag && slot.connections.load(std::memory_order_acquire) == 0 &&
      slot.arrival_us.load(std::memory_order_acquire) <= now_us) {
    // Idle: the previous owner holds nothing here, the slot can change hands.
    if (slot.owner.compare_exchange_strong(owner, t.tag, std::memory_order_acq_rel)) {
      slot.arrival_us.store(0, std::memory_order_release);
    }
  }
  return slot;
}

bool AddressLimiter::open_connection(const Ticket& t, std::uint64_t now_ms) {
  const AddressLimits& limits = limits_of(t);
  if (limits.connections == 0) return true;
  Slot& slot = claim(t, now_ms * 1000);
  std::uint32_t before = slot.connections.fetch_add(1, std::memory_order_acq_rel);
  if (before >= limits.connections) {
    slot.connections.fetch_sub(1, std::memory_order_acq_rel);
    return false;
  }
  return true;
}

void AddressLimiter::close_connection(const Ticket& t) {
  if (limits_of(t).connections == 0) return;
  slots_[t.slot].connections.fetch_sub(1, std::memory_order_acq_rel);
}

std::uint64_t AddressLimiter::admit_request(const Ticket& t, std::uint64_t now_ms) {
  const AddressLimits& limits = limits_of(t);
  if (limits.rate <= 0) return 0;
  const std::uint64_t now_us = now_ms * 1000;
  const auto interval = static_cast<std::uint64_t>(1e6 / limits.rate);
  const auto tolerance = static_cast<std::uint64_t>(limits.burst * 1e6 / limits.rate);
  Slot& slot = claim(t, now_us);
  std::uint64_t arrival = slot.arrival_us.load(std::memory_order_acquire);
  for (;;) {
    std::uint64_t base = arrival > now_us ? arrival : now_us;
    // GCRA: conforming while the theoretical arrival time is within the
    // burst tolerance of now.
    if (base - now_us > tolerance) return (base - now_us - tolerance) / 1000 + 1;
    if (slot.arrival_us.compare_exchange_weak(arrival, base + interval, std::memory_order_acq_rel)) return 0;
  }
}

}  // namespace relais
