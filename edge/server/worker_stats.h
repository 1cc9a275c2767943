// WorkerStats: counters one worker writes and the admin thread reads.
//
// Single writer per counter (its worker), so increments are a relaxed load
// and store, not a locked read-modify-write; readers sum the workers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "edge/server/counter.h"
#include "edge/server/response_histograms.h"
#include "edge/server/tls_stats.h"

namespace relais {

struct WorkerStats {
  explicit WorkerStats(std::size_t sites = 1, std::size_t probed_origins = 0)
      : pull_origin_down(probed_origins), histograms(sites) {}
  Counter requests_by_class[6];  // index requests_class(): 1xx..5xx (0 unused)
  Counter bytes_out;             // body bytes of responses finished (a reset stream: those it sent)
  Counter bytes_sent;            // bytes the sockets took: heads, bodies, TLS records
  Counter memory_hits;
  Counter disk_hits;
  Counter blob_errors;           // missing or corrupt blob: never served
  Counter not_found;
  Counter connections_accepted;
  Counter connections_open;
  Counter connections_refused;   // over --max-connections or out of fds
  Counter header_timeouts;       // 408: slow or silent clients
  Counter send_timeouts;         // no write progress: slow readers
  Counter slow_readers;          // below --send-min-rate after the grace
  Counter rate_limited;          // 429: over the per-address request rate
  Counter address_refused;       // 429: over the per-address connection limit
  Counter idle_shed;             // idle keep-alive connections closed to make room
  Counter parse_errors;          // 400/413/414/431/501/505 before a request existed, bad chunked bodies
  // Published once a second from the worker's MemoryTier.
  Counter memory_used_bytes;
  Counter memory_objects;
  Counter memory_evictions;
  Counter open_blob_files;
  // From the worker's BlobStore (blob_store.h: BlobStoreStats).
  Counter blob_short;            // truncated under an open fd: a 503 or a cut response
  Counter blob_refused;          // symlink, not a regular file, foreign owner, quarantined
  Counter blob_corrupt;          // read whole into RAM and its hash did not match
  Counter catalog_generation;
  // HTTP/2 (edge/proto/h2/session.h, Events): its streams count in requests_by_class too.
  Counter http2_connections;
  Counter http2_streams;
  Counter http2_resets_received;   // RST_STREAM from clients
  Counter http2_resets_sent;       // stream errors we answered with RST_STREAM
  // GOAWAYs sent with an error, by RFC 9113 §7 code (0: a code above 0xd),
  // ours (ENHANCE_YOUR_CALM: over a budget, a slow reader) and nghttp2's.
  static constexpr std::size_t kHttp2ErrorCodes = 14;
  Counter http2_goaway_errors[kHttp2ErrorCodes];
  // Pull-through (edge/pull/pull_service.h, PullStats), published once a second.
  Counter pull_hit;
  Counter pull_miss;
  Counter pull_stale;
  Counter pull_revalidated;
  Counter pull_coalesced;
  Counter pull_errors;
  Counter pull_pass;           // unsafe methods passed to the origin (edge/pull/pull_pass.h)
  Counter pull_invalidated;    // stored objects dropped after a pass (RFC 9111 §4.4)
  Counter pull_waiters;        // clients and stores waiting on origin fetches now
  Counter pull_objects;        // pulled objects held in RAM
  Counter pull_used_bytes;
  Counter pull_held_bytes;     // body bytes origin fetches hold for their waiters (Coalescer::held_bytes)
  Counter pull_origin_failovers;     // fetches moved on to the next origin
  Counter pull_origins_marked_down;  // times an origin was marked down (per worker: each finds it)
  Counter pull_compressed;             // objects given coded variants (edge/pull/pull_compression.h)
  Counter pull_compress_skipped;       // eligible, but the compressor's queue was full
  Counter pull_compress_saved_bytes;   // body bytes not sent: hits served coded
  Counter pull_lagged;               // clients cut for holding a fetch window (pull-lag-timeout)
  // Active health (edge/upstream/origin_prober.h): probes sent, failed, and
  // per probed origin (EdgeGauges::probed_origins' order) 1 while down.
  Counter pull_health_probes;
  Counter pull_health_probe_failures;
  std::vector<Counter> pull_origin_down;
  TlsStats tls;  // zero unless --tls-listen
  ResponseHistograms histograms;  // duration, first byte, size: by site and class
};

// The relais_requests_total class a response counts under: its status
// class, except 501 and 505, which the edge sends only to requests its parser
// refused (a transfer coding or an HTTP version a client should not send).
// Like 400/413/414/431 they are the client's doing, counted as 4xx (and in
// relais_errors_total{kind="bad_request"}), so that a scanner cannot page an
// operator watching the 5xx rate, which stays a signal about the edge.
constexpr int requests_class(std::uint16_t status) {
  if (status == 501 || status == 505) return 4;
  return status / 100 % 6;
}

}  // namespace relais
