// AddressLimiter: per-client-address connection and request-rate limits.
//
// What one address (an IPv4 address, or an IPv6 /64: one subscriber usually
// owns a whole /64) may hold: at most `connections` open connections and
// `rate` requests per second with a burst of `burst`. School NATs and proxies
// that put hundreds of pupils behind one address get their own, higher limits
// by CIDR (`networks`).
//
// Shared by all workers, lock-free and fixed in size: a table of slots
// indexed by a keyed hash (SipHash-like mixing with a random per-process
// seed), so an attacker cannot choose addresses that land on a victim's slot.
// A slot is taken over by a new address only when idle; two busy addresses
// that collide share a slot, which can only make limits stricter for them,
// never looser. The rate limit is GCRA (a token bucket as one atomic
// "theoretical arrival time"), so a check is one load and one CAS.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edge/server/peer_address.h"
#include "origin-sync/result.h"

namespace relais {

struct AddressLimits {
  std::uint32_t connections = 0;  // 0: unlimited
  double rate = 0;                // requests per second; 0: unlimited
  double burst = 0;               // requests allowed at once above the rate
};

// The rates and bursts a limit may have. A rate between 0 and kMinRate, NaN
// or infinity does not mean "almost no requests": the emission interval
// 1/rate overflows and the limit silently lets everything through.
inline constexpr double kMinRate = 0.001;  // one request per 1 000 s
inline constexpr double kMaxRate = 1e9;
inline bool valid_rate(double rate) { return rate == 0 || (rate >= kMinRate && rate <= kMaxRate); }
inline bool valid_burst(double burst) { return burst >= 0 && burst <= kMaxRate; }  // false for NaN

struct NetworkLimits {
  std::uint8_t address[16] = {};
  std::uint8_t family = 0;
  std::uint8_t prefix_length = 0;
  AddressLimits limits;
};

// "10.0.0.0/8=2000:500:1000" -> network with connections:rate:burst.
Result<NetworkLimits> parse_network_limits(std::string_view text);

class AddressLimiter {
 public:
  AddressLimiter(AddressLimits defaults, std::vector<NetworkLimits> networks, std::size_t slots, std::uint64_t seed);

  // At most this many --network-limit entries (the ticket names them in a byte).
  static constexpr std::size_t kMaxNetworks = 254;

  // The slot an address maps to, and which limits apply (computed once per
  // connection). 8 bytes: it lives in every connection, idle ones included.
  struct Ticket {
    std::uint32_t slot = 0;        // the keyed hash's low bits
    std::uint32_t tag : 24 = 0;    // the keyed hash's high bits: who owns the slot (never 0 when set)
    std::uint32_t limits : 8 = 0;  // 0: limits off for this connection; 1: defaults; 2 + i: networks[i]
    bool limited() const { return limits != 0; }
  };
  Ticket ticket(const PeerAddress& peer) const;
  // The limits a (limited) ticket applies.
  const AddressLimits& limits_of(const Ticket& t) const;

  // A new connection: false if the address is at its connection limit.
  bool open_connection(const Ticket& t, std::uint64_t now_ms);
  void close_connection(const Ticket& t);
  // A new request: 0 if allowed, else the milliseconds until one would be.
  std::uint64_t admit_request(const Ticket& t, std::uint64_t now_ms);

  bool enabled() const { return enabled_; }

 private:
  struct Slot {
    std::atomic<std::uint32_t> owner{0};        // tag of the address prefix owning the slot
    std::atomic<std::uint32_t> connections{0};
    std::atomic<std::uint64_t> arrival_us{0};   // GCRA theoretical arrival time
  };
  Slot& claim(const Ticket& t, std::uint64_t now_us);

  AddressLimits defaults_;
  std::vector<NetworkLimits> networks_;
  std::unique_ptr<Slot[]> slots_;
  std::size_t slot_mask_;
  std::uint64_t seed_;
  bool enabled_;
};

}  // namespace relais
