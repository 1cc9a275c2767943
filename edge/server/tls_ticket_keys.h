// TicketKeyRing: the keys that seal TLS session tickets (RFC 5077 §4's
// recommended format: 16-byte key name, AES-256-CBC, HMAC-SHA256), shared by
// every worker and by every SSL_CTX built on a certificate reload, so a
// reload does not cost every client a full handshake.
//
// Two keys live at once: `current` seals new tickets, `previous` still opens
// tickets sealed during the last period (OpenSSL is told to re-issue them).
// Every `period` the current key becomes the previous one and a fresh random
// key takes its place, so a stolen key decrypts at most two periods of
// traffic (forward secrecy of resumed sessions, RFC 8446 §2.2 and §C.4).
// Keys exist only in this process's memory: a restart starts a new ring.
//
// Thread-safe (a mutex: taken once per full handshake or resumption, never
// per request). Time is passed in so tests can step over a rotation.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>

namespace relais {

struct TicketKey {
  std::array<unsigned char, 16> name{};
  std::array<unsigned char, 32> aes{};
  std::array<unsigned char, 32> hmac{};
};

class TicketKeyRing {
 public:
  explicit TicketKeyRing(std::int64_t period_seconds, std::int64_t now);

  // The key to seal a new ticket with (rotating first if the period is over).
  TicketKey sealing_key(std::int64_t now);
  struct Found {
    TicketKey key;
    bool current;  // false: sealed with the previous key, renew the ticket
  };
  // The key a ticket names, if it is still one of ours.
  std::optional<Found> opening_key(const unsigned char* name, std::int64_t now);
  std::int64_t period_seconds() const { return period_; }

 private:
  void rotate_if_due(std::int64_t now);
  static TicketKey fresh_key();

  std::mutex mutex_;
  std::int64_t period_;
  std::int64_t rotated_at_;
  TicketKey current_;
  TicketKey previous_;
  bool has_previous_ = false;
};

}  // namespace relais
