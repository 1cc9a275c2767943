// TlsStats: TLS counters of one worker (single writer, see worker_stats.h),
// rendered by tls_metrics.h. Handshake failures are counted by reason so an
// operator can tell a scan of plain HTTP from an outdated client population
// from a handshake flood.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edge/server/counter.h"

namespace relais {

enum class TlsFailure : std::uint8_t {
  timeout,       // handshake not finished within the header timeout
  rate_limited,  // over the address's request rate (a handshake counts as a request)
  plain_http,    // plain HTTP sent to the TLS port: answered 400
  not_tls,       // some other non-TLS first byte
  version,       // client offers no TLS 1.2/1.3
  cipher,        // no shared cipher or group
  alpn,          // client offers ALPN without http/1.1
  closed,        // the client went away mid-handshake
  other,
  count_,
};
inline constexpr int kTlsFailureKinds = static_cast<int>(TlsFailure::count_);
extern const char* const kTlsFailureNames[kTlsFailureKinds];

// Ciphers counted by name; anything else (a custom --tls-ciphers) is "other".
inline constexpr int kTlsCipherKinds = 10;
extern const char* const kTlsCipherNames[kTlsCipherKinds];  // last: "other"
int tls_cipher_index(std::string_view name);

struct TlsStats {
  Counter handshakes;  // completed
  Counter resumed;     // of which resumed a session (ticket)
  Counter failures[kTlsFailureKinds];
  Counter tls12;
  Counter tls13;
  Counter ciphers[kTlsCipherKinds];
  Counter ktls_send;       // connections whose writes go through kernel TLS (sendfile kept)
  Counter userspace_send;  // connections encrypting in user space (pread + SSL_write)
  // User-space TLS output (tls_write_batch.h): records (writes of them by
  // OpenSSL, a record cut by a full buffer counts twice) and the write()
  // calls that carried them.
  Counter records;
  Counter socket_writes;
  void fail(TlsFailure reason) { failures[static_cast<int>(reason)].add(); }
};

struct WorkerStats;
// Appends the relais_tls_* metrics (Prometheus text format) summed over workers.
void append_tls_metrics(std::string& out, const std::vector<const WorkerStats*>& workers);

}  // namespace relais
