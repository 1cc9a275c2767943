// relais_tls_* metrics (Prometheus text format 0.0.4), summed over workers.
#include <cstdio>
#include <functional>

#include "edge/server/prometheus_text.h"
#include "edge/server/tls_stats.h"
#include "edge/server/worker_stats.h"

namespace relais {

const char* const kTlsFailureNames[kTlsFailureKinds] = {"timeout", "rate_limited", "plain_http", "not_tls", "version",
                                                         "cipher",  "alpn",         "closed",     "other"};

const char* const kTlsCipherNames[kTlsCipherKinds] = {
    "TLS_AES_128_GCM_SHA256",        "TLS_AES_256_GCM_SHA384",        "TLS_CHACHA20_POLY1305_SHA256",
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",   "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",   "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    "other"};

int tls_cipher_index(std::string_view name) {
  for (int i = 0; i + 1 < kTlsCipherKinds; ++i) {
    if (name == kTlsCipherNames[i]) return i;
  }
  return kTlsCipherKinds - 1;
}

namespace {

void header(std::string& out, const char* name, const char* type, const char* help) {
  append_metric_header(out, name, type, help);
}

void sample(std::string& out, const char* name, const char* label, const char* value_label, std::uint64_t value) {
  std::string labels;
  if (label != nullptr) labels.append("{").append(label).append("=\"").append(value_label).append("\"}");
  append_metric_sample(out, name, labels, static_cast<double>(value));
}

}  // namespace

void append_tls_metrics(std::string& out, const std::vector<const WorkerStats*>& workers) {
  auto sum = [&](const std::function<const Counter&(const TlsStats&)>& pick) {
    std::uint64_t total = 0;
    for (const WorkerStats* w : workers) total += pick(w->tls).get();
    return total;
  };
  header(out, "relais_tls_handshakes_total", "counter", "TLS handshakes completed.");
  sample(out, "relais_tls_handshakes_total", nullptr, nullptr, sum([](const TlsStats& t) -> const Counter& { return t.handshakes; }));
  header(out, "relais_tls_resumptions_total", "counter", "TLS handshakes that resumed a session (ticket).");
  sample(out, "relais_tls_resumptions_total", nullptr, nullptr, sum([](const TlsStats& t) -> const Counter& { return t.resumed; }));
  header(out, "relais_tls_handshake_failures_total", "counter", "TLS handshakes that failed, by reason.");
  for (int i = 0; i < kTlsFailureKinds; ++i)
    sample(out, "relais_tls_handshake_failures_total", "reason", kTlsFailureNames[i],
           sum([i](const TlsStats& t) -> const Counter& { return t.failures[i]; }));
  header(out, "relais_tls_version_total", "counter", "TLS handshakes completed, by protocol version.");
  sample(out, "relais_tls_version_total", "version", "TLSv1.2", sum([](const TlsStats& t) -> const Counter& { return t.tls12; }));
  sample(out, "relais_tls_version_total", "version", "TLSv1.3", sum([](const TlsStats& t) -> const Counter& { return t.tls13; }));
  header(out, "relais_tls_cipher_total", "counter", "TLS handshakes completed, by cipher.");
  for (int i = 0; i < kTlsCipherKinds; ++i)
    sample(out, "relais_tls_cipher_total", "cipher", kTlsCipherNames[i],
           sum([i](const TlsStats& t) -> const Counter& { return t.ciphers[i]; }));
  header(out, "relais_tls_ktls_connections_total", "counter",
         "TLS connections by send path: kernel TLS (sendfile kept) or user space (pread + SSL_write).");
  sample(out, "relais_tls_ktls_connections_total", "path", "kernel", sum([](const TlsStats& t) -> const Counter& { return t.ktls_send; }));
  sample(out, "relais_tls_ktls_connections_total", "path", "userspace",
         sum([](const TlsStats& t) -> const Counter& { return t.userspace_send; }));
  header(out, "relais_tls_records_total", "counter", "TLS records written in user space (kernel TLS: not counted).");
  sample(out, "relais_tls_records_total", nullptr, nullptr, sum([](const TlsStats& t) -> const Counter& { return t.records; }));
  header(out, "relais_tls_socket_writes_total", "counter",
         "write() calls carrying user-space TLS records (several records each when responses queue up).");
  sample(out, "relais_tls_socket_writes_total", nullptr, nullptr,
         sum([](const TlsStats& t) -> const Counter& { return t.socket_writes; }));
}

}  // namespace relais
