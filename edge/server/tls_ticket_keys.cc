#include "edge/server/tls_ticket_keys.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstring>

#include "origin-sync/assert.h"

namespace relais {

TicketKeyRing::TicketKeyRing(std::int64_t period_seconds, std::int64_t now)
    : period_(std::max<std::int64_t>(1, period_seconds)), rotated_at_(now), current_(fresh_key()) {}

TicketKey TicketKeyRing::fresh_key() {
  TicketKey k;
  // A ticket key that is not random is a master key for every resumed
  // session: failing to get entropy is not something to serve through.
  RELAIS_ASSERT(RAND_bytes(k.name.data(), static_cast<int>(k.name.size())) == 1);
  RELAIS_ASSERT(RAND_priv_bytes(k.aes.data(), static_cast<int>(k.aes.size())) == 1);
  RELAIS_ASSERT(RAND_priv_bytes(k.hmac.data(), static_cast<int>(k.hmac.size())) == 1);
  return k;
}

void TicketKeyRing::rotate_if_due(std::int64_t now) {
  if (now - rotated_at_ < period_) return;
  if (now - rotated_at_ >= 2 * period_) {
    has_previous_ = false;  // idle for two periods: the old key has expired too
  } else {
    previous_ = current_;
    has_previous_ = true;
  }
  current_ = fresh_key();
  rotated_at_ = now;
}

TicketKey TicketKeyRing::sealing_key(std::int64_t now) {
  std::lock_guard lock(mutex_);
  rotate_if_due(now);
  return current_;
}

std::optional<TicketKeyRing::Found> TicketKeyRing::opening_key(const unsigned char* name, std::int64_t now) {
  std::lock_guard lock(mutex_);
  rotate_if_due(now);
  if (std::memcmp(name, current_.name.data(), current_.name.size()) == 0) return Found{current_, true};
  if (has_previous_ && std::memcmp(name, previous_.name.data(), previous_.name.size()) == 0) return Found{previous_, false};
  return std::nullopt;
}

}  // namespace relais
