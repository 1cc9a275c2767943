#include "config/edge_options.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "config/option_parsing.h"
#include "config/pull_options.h"
#include "config/site_options.h"
#include "config/sync_options.h"
#include "config/units.h"
#include "origin-sync/assert.h"

namespace po = boost::program_options;

namespace relais {
namespace {

std::uint64_t physical_memory_bytes() {
  long pages = ::sysconf(_SC_PHYS_PAGES);
  long page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return 1ull << 30;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}


// Every numeric option, the range it must fall in and the field it fills:
// a value outside is a usage error (exit 2) naming the option, never a
// surprise at run time. The bounds keep each setting where it still means
// something: a sync every millisecond or 10 000 parallel downloads would be
// an attack on our own origin; an hour for a request head is no slowloris
// defence.
struct EdgeBounded {
  BoundedOption option;
  std::uint64_t EdgeConfig::*wide = nullptr;
  unsigned EdgeConfig::*narrow = nullptr;  // max fits an unsigned
};
const EdgeBounded kBounded[] = {
    {{"sync-interval", Unit::duration, 100, 7 * kDay}, &EdgeConfig::sync_interval_ms},
    {{"sync-jobs", Unit::count, 1, 64}, nullptr, &EdgeConfig::sync_jobs},
    {{"sync-retries", Unit::count, 0, kMaxSyncRetries}, nullptr, &EdgeConfig::sync_retries},
    {origin_bound("origin-timeout", kConnectTimeoutBounds), &EdgeConfig::origin_timeout_ms},
    {origin_bound("origin-stall-timeout", kStallTimeoutBounds), &EdgeConfig::origin_stall_timeout_ms},
    {origin_bound("origin-min-rate", kMinRateBounds), &EdgeConfig::origin_min_rate},
    {origin_bound("origin-deadline", kDeadlineBounds), &EdgeConfig::origin_deadline_ms},
    {origin_bound("gc-grace", kGcGraceBounds), &EdgeConfig::gc_grace_ms},
    {{"memory-object-max", Unit::size, 0, kTiB}, &EdgeConfig::memory_object_max_bytes},
    {{"sendfile-min", Unit::size, 1, kTiB}, &EdgeConfig::sendfile_min},
    {{"workers", Unit::count, 0, 256}, nullptr, &EdgeConfig::workers},
    {{"max-header-bytes", Unit::size, 256, kMiB}, &EdgeConfig::max_head_bytes},
    {{"max-target-bytes", Unit::size, 1, kMiB}, &EdgeConfig::max_target_bytes},
    {{"max-headers", Unit::count, 1, 1024}, &EdgeConfig::max_headers},
    {{"max-request-body", Unit::size, 0, kGiB}, &EdgeConfig::max_request_body_bytes},
    {{"header-timeout", Unit::duration, 1, kHour}, &EdgeConfig::header_timeout_ms},
    {{"keepalive-timeout", Unit::duration, 1, 7 * kDay}, &EdgeConfig::keepalive_timeout_ms},
    {{"send-timeout", Unit::duration, 1, 7 * kDay}, &EdgeConfig::send_timeout_ms},
    {{"max-requests-per-connection", Unit::count, 1, 1ull << 32}, &EdgeConfig::max_requests_per_connection},
    {{"max-connections", Unit::count, 0, 1ull << 24}, &EdgeConfig::max_connections},
    {{"max-ranges", Unit::count, 1, 64}, &EdgeConfig::max_ranges},
    {{"address-connections", Unit::count, 0, 1ull << 24}, &EdgeConfig::address_connections},
    {{"address-slots", Unit::count, 2, 1ull << 26}, &EdgeConfig::address_slots},
    {{"send-min-rate", Unit::size, 0, kGiB}, &EdgeConfig::send_min_rate},
    {{"send-min-rate-grace", Unit::duration, 1, kDay}, &EdgeConfig::send_min_rate_grace_ms},
    {{"send-lowat", Unit::size, 0, 256 * kMiB}, &EdgeConfig::send_lowat},
    {{"open-files", Unit::count, 1, 1ull << 20}, &EdgeConfig::open_files},
    {{"http2-max-streams", Unit::count, 1, 1000}, &EdgeConfig::http2_max_streams},
    {{"http2-max-resets", Unit::count, 1, 100'000}, &EdgeConfig::http2_max_resets},
    {{"http2-max-control-frames", Unit::count, 10, 1'000'000}, &EdgeConfig::http2_max_control_frames},
    {{"http2-hpack-table", Unit::size, 0, 4096}, &EdgeConfig::http2_hpack_table},
    {{"defer-accept", Unit::duration, 0, kHour}, &EdgeConfig::defer_accept_ms},
    {{"rehash-rate", Unit::size, 0, 16 * kGiB}, &EdgeConfig::rehash_rate},
    {{"rehash-interval", Unit::duration, 1000, 30 * kDay}, &EdgeConfig::rehash_interval_ms},
    {{"tls-ticket-rotation", Unit::duration, kMinute, 7 * kDay}, &EdgeConfig::tls_ticket_rotation_ms},
    {{"drain-timeout", Unit::duration, 0, kHour}, &EdgeConfig::drain_timeout_ms},
    {{"pull-connect-timeout", Unit::duration, 100, kMinute}, &EdgeConfig::pull_connect_timeout_ms},
    {{"pull-first-byte-timeout", Unit::duration, 100, 10 * kMinute}, &EdgeConfig::pull_first_byte_timeout_ms},
    {{"pull-between-bytes-timeout", Unit::duration, 100, 10 * kMinute}, &EdgeConfig::pull_between_bytes_timeout_ms},
    {{"pull-min-rate", Unit::size, 0, kGiB}, &EdgeConfig::pull_min_rate},
    {{"pull-max-connections", Unit::count, 1, 1024}, &EdgeConfig::pull_max_connections},
    {{"pull-idle-connections", Unit::count, 0, 4096}, &EdgeConfig::pull_idle_connections},
    {{"pull-max-body", Unit::size, kKiB, kTiB}, &EdgeConfig::pull_max_body},
    {{"pull-max-request-body", Unit::size, 0, 64 * kMiB}, &EdgeConfig::pull_max_request_body},
    {{"pull-max-keys", Unit::count, 1, 1ull << 20}, &EdgeConfig::pull_max_keys},
    {{"pull-address-fetches", Unit::count, 0, 1ull << 20}, &EdgeConfig::pull_address_fetches},
    {{"pull-window", Unit::size, 64 * kKiB, kGiB}, &EdgeConfig::pull_window},
    {{"pull-lag-timeout", Unit::duration, 0, 10 * kMinute}, &EdgeConfig::pull_lag_timeout_ms},
    {{"pull-memory", Unit::size, 0, kTiB}, &EdgeConfig::pull_memory},
    {{"pull-object-max", Unit::size, 0, kGiB}, &EdgeConfig::pull_object_max},
    {{"pull-disk-size", Unit::size, 0, 64 * kTiB}, &EdgeConfig::pull_disk_size},
    {{"pull-compress-max", Unit::size, 0, 64 * kMiB}, &EdgeConfig::pull_compress_max},
    // At least 64K: a slice of 1 byte made a 4 KiB object cost 4096 origin requests (an outside attack).
    {{"pull-slice-size", Unit::size, 64 * kKiB, 64 * kMiB, true}, &EdgeConfig::pull_slice_size},
    {{"pull-slice-min", Unit::size, 0, kTiB}, &EdgeConfig::pull_slice_min},
    {{"pull-negative-ttl", Unit::duration, 0, kDay}, &EdgeConfig::pull_negative_ttl_ms},
    {{"pull-stale-grace", Unit::duration, 0, 7 * kDay}, &EdgeConfig::pull_stale_grace_ms},
    {{"pull-origin-fails", Unit::count, 1, 100}, &EdgeConfig::pull_origin_fails},
    {{"pull-origin-down-time", Unit::duration, 100, kHour}, &EdgeConfig::pull_origin_down_time_ms},
    {{"pull-health-interval", Unit::duration, 100, kHour}, &EdgeConfig::pull_health_interval_ms},
    {{"pull-health-timeout", Unit::duration, 10, 10 * kMinute}, &EdgeConfig::pull_health_timeout_ms},
    {{"pull-health-rise", Unit::count, 1, 100}, &EdgeConfig::pull_health_rise},
};

po::options_description edge_description() {
  const EdgeConfig d;
  po::options_description desc("relais-edge options (each is also a key in the --config file)");
  auto str = [](const std::string& s) { return po::value<std::string>()->default_value(s); };
  auto num = [](std::uint64_t v) { return po::value<std::string>()->default_value(std::to_string(v)); };
  auto size = [](std::uint64_t v) { return po::value<std::string>()->default_value(format_byte_size(v)); };
  auto duration = [](std::uint64_t ms) { return po::value<std::string>()->default_value(format_duration_ms(ms)); };
  desc.add_options()
    ("help,h", "print this help and exit")
    ("version", "print the version and exit")
    ("check-config", "validate the configuration (options, addresses, files, certificates), print it and exit: 0, or 2 with one line per error")
    ("config", po::value<std::string>(), "read options from this file (command-line flags win)")
    ("listen", po::value<std::vector<std::string>>()->default_value(d.listen, "0.0.0.0:8080"),
       "HTTP listener ADDR:PORT, repeatable; IPv6 as [::]:8080")
    ("admin-listen", str(d.admin_listen), "admin listener ADDR:PORT (/healthz, /metrics, /purge)")
    ("admin-token", str(d.admin_token), "bearer token required by POST /purge (empty: purge disabled)")
    ("store", str(d.store), "store directory (manifest + blobs/)")
    ("origin", str(d.origin), "origin URL or directory to sync from (empty: serve the store as is)")
    ("sync-interval", duration(d.sync_interval_ms), "time between two syncs with the origin (100ms-7d)")
    ("sync-jobs", num(d.sync_jobs), "parallel blob downloads during a sync (1-64)")
    ("sync-retries", num(d.sync_retries), "retries per origin request, with backoff (0-20)")
    ("origin-timeout", duration(d.origin_timeout_ms), "connect timeout to the origin (100ms-10m)")
    ("origin-stall-timeout", duration(d.origin_stall_timeout_ms),
       "cut an origin transfer slower than --origin-min-rate for this long (1s-1h)")
    ("origin-min-rate", size(d.origin_min_rate), "bytes per second an origin transfer must average over --origin-stall-timeout")
    ("origin-deadline", duration(d.origin_deadline_ms),
       "total time one origin request may take, however fast it trickles (a cut blob resumes on the next attempt)")
    ("gc-grace", duration(d.gc_grace_ms), "delete blobs no longer in the manifest after they have been unreferenced this long")
    ("memory-cache", str("auto"), "memory tier size, all workers together (e.g. 512M, 2G; auto = 1/4 of RAM)")
    ("memory-object-max", size(d.memory_object_max_bytes), "objects larger than this are served from disk only (published blobs, and pulled objects from the pull disk tier)")
    ("sendfile-min", size(d.sendfile_min), "plain-HTTP/1 and kernel-TLS HTTP/1 bodies this large are sent with sendfile() even from the memory tier (one copy less)")
    ("workers", num(d.workers), "worker threads, each with its own loop and listener (0 = one per core, at most 256)")
    ("access-log", str(d.access_log), "access log: FILE, - (stdout) or off; reopened on SIGUSR1")
    ("access-log-format", str(d.access_log_format), "access log lines: combined (plus tier and request time) or json (one object a line)")
    ("server-name", str(d.server_name), "value of the Server response header")
    ("default-site", str(d.default_site), "the [site.NAME] that answers a Host no site names (empty: 404, or 421 on HTTPS)")
    ("mode", str(d.mode), "manifest (serve the store), pull (every path through the cache from --origin-url) or both (the manifest first)")
    ("origin-url", po::value<std::vector<std::string>>(),
       "pull-through origin: http:// or https:// base URL, scheme and host[:port] only; repeatable (at most 16), in order of preference")
    ("pull-prefix", po::value<std::vector<std::string>>(),
       "PATH-PREFIX, repeatable, mode both: only paths under these go to the origin (none: every path outside the manifest)")
    ("pull-query", str(d.pull_query),
       "pulled paths: whole (the request's query is part of the cache key and goes to the origin) or keys (only the query-key parameters)")
    ("pull-connect-timeout", duration(d.pull_connect_timeout_ms), "pull-through: connect timeout to the origin (100ms-1m)")
    ("pull-first-byte-timeout", duration(d.pull_first_byte_timeout_ms), "pull-through: time from a fetch's start to its first head byte (100ms-10m)")
    ("pull-between-bytes-timeout", duration(d.pull_between_bytes_timeout_ms), "pull-through: longest gap while reading an origin response (100ms-10m)")
    ("pull-min-rate", size(d.pull_min_rate), "pull-through: bytes per second an origin must send on average over each between-bytes window (a trickle); 0 = no floor")
    ("pull-max-connections", num(d.pull_max_connections), "pull-through: connections per origin and worker; beyond, fetches queue (1-1024)")
    ("pull-idle-connections", num(d.pull_idle_connections), "pull-through: idle keep-alive connections kept per worker (0-4096)")
    ("pull-max-body", size(d.pull_max_body), "pull-through: an origin body larger than this fails the fetch (1K-1T)")
    ("pull-max-request-body", size(d.pull_max_request_body), "pull-through: POST, PUT, PATCH and DELETE on a pull path are passed to the origin, their body read whole first up to this; beyond: 413 (0: not forwarded, 405; at most 64M)")
    ("pull-max-keys", num(d.pull_max_keys), "pull-through: origin fetches in flight per worker; beyond: 503 (1-1048576)")
    ("pull-address-fetches", num(d.pull_address_fetches), "pull-through: origin fetches one client address may have started at once, per worker (joins free); beyond: 429 (0 = no cap, the default)")
    ("pull-window", size(d.pull_window), "pull-through: body bytes one fetch keeps for its slowest client and late joiners (64K-1G)")
    ("pull-lag-timeout", duration(d.pull_lag_timeout_ms), "pull-through, a response not stored: a client that holds the window full while another waits must take a whole window in this time, or it is cut (0: never; at most 10m)")
    ("pull-memory", size(d.pull_memory), "pull-through: RAM for pulled objects, all workers together (0: none stored)")
    ("pull-object-max", size(d.pull_object_max), "pull-through: larger responses are streamed, not stored (at most 1G)")
    ("pull-disk-dir", str(d.pull_disk_dir), "pull-through: directory of the pulled objects kept on disk, one edge's own (empty: STORE/pulled)")
    ("pull-disk-size", size(d.pull_disk_size), "pull-through: disk for pulled objects, all workers together (0: none kept on disk; at most 64T)")
    ("pull-compress-max", size(d.pull_compress_max), "pull-through: stored identity text up to this size is compressed once (br, zstd, gzip) off the event loop (0: off, at most 64M)")
    ("pull-slice-size", size(d.pull_slice_size), "pull-through: a Range on a cold key asks the origin for slices of this size, each stored and fetched on its own (0: off, else 64K-64M)")
    ("pull-slice-min", size(d.pull_slice_min), "pull-through: objects smaller than this are fetched whole, not sliced (at most 1T)")
    ("pull-negative-ttl", duration(d.pull_negative_ttl_ms), "pull-through: 404 and 410 without freshness are cached this long (0-1d)")
    ("pull-stale-grace", duration(d.pull_stale_grace_ms), "pull-through: a stale object is served this long past expiry when the origin fails (0-7d)")
    ("pull-origin-fails", num(d.pull_origin_fails), "pull-through: failures in a row that mark an origin down, per worker (1-100)")
    ("pull-origin-down-time", duration(d.pull_origin_down_time_ms), "pull-through: a down origin is skipped this long, unless every origin is down (100ms-1h)")
    ("pull-health-path", str(d.pull_health_path), "pull-through: active health checks, GET of each origin's base URL + this path (starts with /; empty: off); a failure marks the origin down at once")
    ("pull-health-interval", duration(d.pull_health_interval_ms), "pull-through: time between two health probes of an origin, per worker (100ms-1h)")
    ("pull-health-timeout", duration(d.pull_health_timeout_ms), "pull-through: a health probe without a head in this time fails (10ms-10m, less than --pull-health-interval)")
    ("pull-health-rise", num(d.pull_health_rise), "pull-through: health probes passed in a row that bring a down origin back (1-100)")
    ("drain-timeout", duration(d.drain_timeout_ms), "on SIGTERM (or after an upgrade), time responses in flight get to finish before the rest is cut (0-1h)")
    ("max-header-bytes", size(d.max_head_bytes), "request line + headers; beyond: 431 (256-1M)")
    ("max-target-bytes", size(d.max_target_bytes), "request-target length; beyond: 414 (at most --max-header-bytes)")
    ("max-headers", num(d.max_headers), "header lines per request; beyond: 431 (1-1024)")
    ("max-request-body", size(d.max_request_body_bytes), "body bytes discarded on GET/HEAD; beyond: 413 (HTTP/2: window reopened for discarded DATA per connection; beyond: GOAWAY)")
    ("header-timeout", duration(d.header_timeout_ms), "time to receive a whole request head (slowloris); then 408 and close")
    ("keepalive-timeout", duration(d.keepalive_timeout_ms), "idle time allowed between two requests on a connection")
    ("send-timeout", duration(d.send_timeout_ms), "time without any write progress before a connection is dropped")
    ("max-requests-per-connection", num(d.max_requests_per_connection), "then Connection: close")
    ("max-connections", num(d.max_connections), "open client connections, all workers (0 = 80% of RLIMIT_NOFILE)")
    ("max-ranges", num(d.max_ranges), "ranges per request after coalescing; beyond: 416 (1-64)")
    ("address-connections", num(d.address_connections), "open connections per client address (IPv6: per /64); beyond: 429 (0 = unlimited)")
    ("address-rate", str("500"), "requests per second per client address; beyond: 429 (0 = unlimited, else 0.001 to 1e9)")
    ("address-burst", str("1000"), "requests a client address may send at once above its rate")
    ("address-slots", num(d.address_slots), "size of the per-address limiter table (fixed memory, ~24 bytes a slot)")
    ("trusted-key", po::value<std::vector<std::string>>(),
       "Ed25519 public key (PEM), repeatable (rotation: old and new): serve only manifests signed by one of them")
    ("network-limit", po::value<std::vector<std::string>>(), "CIDR=CONNECTIONS:RATE:BURST, repeatable: limits for school NATs and proxies (most specific prefix wins)")
    ("send-min-rate", size(d.send_min_rate), "bytes per second a response must move on average after the grace (slow-read attack)")
    ("send-min-rate-grace", duration(d.send_min_rate_grace_ms), "time before the minimum send rate applies")
    ("send-lowat", size(d.send_lowat), "unsent bytes a client socket may queue in the kernel (TCP_NOTSENT_LOWAT; 0 = kernel default): bounds what a slow reader holds")
    ("defer-accept", duration(d.defer_accept_ms), "TCP_DEFER_ACCEPT on client listeners, whole seconds (0 = off): accept a connection only once its first bytes arrived (at most 1h)")
    ("http2", str("on"), "on|off: HTTP/2 (ALPN h2 on --tls-listen, prior knowledge h2c on --listen)")
    ("http2-max-streams", num(d.http2_max_streams), "concurrent streams per HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS, 1-1000)")
    ("http2-max-resets", num(d.http2_max_resets),
       "stream resets, sent by the client or caused by its errors, per HTTP/2 connection per 10 s; beyond: GOAWAY ENHANCE_YOUR_CALM (Rapid Reset, MadeYouReset)")
    ("http2-max-control-frames", num(d.http2_max_control_frames),
       "SETTINGS, PING, WINDOW_UPDATE and PRIORITY frames per HTTP/2 connection per 10 s, plus two per DATA frame sent; beyond: GOAWAY ENHANCE_YOUR_CALM")
    ("http2-hpack-table", size(d.http2_hpack_table),
       "bytes of response fields our HTTP/2 encoder remembers per connection (HPACK dynamic table, 0-4K; 0 = none, as nginx): memory per connection against bytes per response")
    ("open-files", num(d.open_files), "cached open blob file descriptors, all workers (at least one per worker)")
    ("rehash-rate", size(d.rehash_rate), "bytes per second the edge re-reads and re-hashes its blobs in the background, to find corruption (0 = off, at most 16G)")
    ("rehash-interval", duration(d.rehash_interval_ms), "least time between the starts of two re-hash passes (1s to 30d): a small store is re-read once per interval, not continuously")
    ("cache-control-html", str(d.cache_control_html), "Cache-Control for text/html")
    ("cache-control-default", str(d.cache_control_default), "Cache-Control for everything else")
    ("cache-control-rule", po::value<std::vector<std::string>>(),
       "PREFIX=VALUE, repeatable: Cache-Control for paths under PREFIX (first match wins)")
    ("use-as-dictionary", str(d.use_as_dictionary),
       "responses offered as compression dictionaries (RFC 9842): comma-separated content-type prefixes and /path prefixes, or off")
    ("query-key", po::value<std::vector<std::string>>(),
       "KEY, repeatable: a query parameter kept in the lookup key (page?KEY=v is a published file); others are ignored")
    ("tls-listen", po::value<std::vector<std::string>>(), "HTTPS listener ADDR:PORT, repeatable (needs --tls-cert and --tls-key)")
    ("tls-cert", str(""), "PEM certificate (leaf, then chain) for HTTPS; reloaded on SIGHUP")
    ("tls-key", str(""), "PEM private key of --tls-cert")
    ("tls-sni-cert", po::value<std::vector<std::string>>(), "HOST=CERTFILE:KEYFILE, repeatable: certificate for a host name (SNI; *.example.org matches one label)")
    ("tls-ciphers", str(""), "TLS 1.2 cipher list (empty: ECDHE with AES-GCM or ChaCha20)")
    ("tls-ciphersuites", str(""), "TLS 1.3 cipher suites (empty: TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256)")
    ("tls-ocsp-response", str(""), "DER OCSP response file stapled with --tls-cert (refresh it and send SIGHUP)")
    ("tls-ticket-rotation", duration(d.tls_ticket_rotation_ms), "lifetime of a session ticket key; tickets stay valid for up to twice this (1m-7d)")
    ("tls-session-tickets", str("on"), "on|off: resume TLS sessions with tickets (off: every connection pays a full handshake)");
  return desc;
}

// "text/html,/cours/": each item a content-type prefix or, with a leading
// '/', a path prefix; "off" alone turns dictionaries off. An item that could
// not match anything (empty, spaces, quotes, control bytes) is refused.
std::optional<CliOutcome> parse_use_as_dictionary(const std::string& value, EdgeConfig& c) {
  c.use_as_dictionary = value;
  c.dictionary_path_prefixes.clear();
  c.dictionary_content_types.clear();
  if (value == "off") return std::nullopt;
  std::size_t start = 0;
  while (start <= value.size()) {
    const std::size_t comma = std::min(value.find(',', start), value.size());
    const std::string item = value.substr(start, comma - start);
    if (item.empty() || item.find_first_of(" \t\"\\") != std::string::npos || has_control_byte(item))
      return CliOutcome::usage("--use-as-dictionary: '" + item + "' is not a content type or /path prefix (or use off)");
    (item[0] == '/' ? c.dictionary_path_prefixes : c.dictionary_content_types).push_back(item);
    start = comma + 1;
  }
  return std::nullopt;
}

std::optional<CliOutcome> parse_tls_options(const po::variables_map& vm, EdgeConfig& c) {
  if (vm.count("tls-listen")) c.tls_listen = vm["tls-listen"].as<std::vector<std::string>>();
  c.tls_cert = vm["tls-cert"].as<std::string>();
  c.tls_key = vm["tls-key"].as<std::string>();
  c.tls_ciphers = vm["tls-ciphers"].as<std::string>();
  c.tls_ciphersuites = vm["tls-ciphersuites"].as<std::string>();
  c.tls_ocsp_response = vm["tls-ocsp-response"].as<std::string>();
  if (vm.count("tls-sni-cert")) c.tls_sni_certs = vm["tls-sni-cert"].as<std::vector<std::string>>();
  if (auto bad = convert_switch(vm, "tls-session-tickets", c.tls_session_tickets)) return *bad;
  for (const std::string& entry : c.tls_sni_certs) {
    auto eq = entry.find('=');
    auto colon = entry.rfind(':');
    if (eq == std::string::npos || eq == 0 || colon == std::string::npos || colon < eq + 2 || colon + 1 == entry.size())
      return CliOutcome::usage("--tls-sni-cert: '" + entry + "' is not HOST=CERTFILE:KEYFILE");
  }
  if (c.tls_listen.empty()) {
    // A certificate configured without a listener is a forgotten
    // --tls-listen: refused rather than an edge that silently serves no HTTPS.
    for (const char* option : {"tls-cert", "tls-key", "tls-ciphers", "tls-ciphersuites", "tls-ocsp-response"}) {
      if (!vm[option].as<std::string>().empty()) return CliOutcome::usage(std::string("--") + option + ": needs --tls-listen");
    }
    if (!c.tls_sni_certs.empty()) return CliOutcome::usage("--tls-sni-cert: needs --tls-listen");
    return std::nullopt;
  }
  if (c.tls_cert.empty()) return CliOutcome::usage("--tls-cert: needed with --tls-listen");
  if (c.tls_key.empty()) return CliOutcome::usage("--tls-key: needed with --tls-listen");
  return std::nullopt;
}

}  // namespace

const BoundedOption& edge_bound(std::string_view name) {
  for (const EdgeBounded& row : kBounded) {
    if (name == row.option.name) return row.option;
  }
  RELAIS_ASSERT(false && "no such bounded option");
  return kBounded[0].option;
}

CliOutcome parse_edge_options(int argc, const char* const* argv, std::ostream& out, EdgeConfig& c) {
  po::options_description desc = edge_description();
  po::variables_map vm;
  std::vector<po::option> site_keys;
  if (auto bad = parse_into(desc, nullptr, argc, argv, /*config_option=*/true, vm, &site_keys)) return *bad;
  if (vm.count("help")) {
    out << "Usage: relais-edge [--config FILE] [options]\n\n" << desc << '\n';
    return CliOutcome::finished();
  }
  if (vm.count("version")) {
    out << "relais-edge " << RELAIS_VERSION << '\n';
    return CliOutcome::finished();
  }

  c.listen = vm["listen"].as<std::vector<std::string>>();
  c.admin_listen = vm["admin-listen"].as<std::string>();
  c.admin_token = vm["admin-token"].as<std::string>();
  c.store = vm["store"].as<std::string>();
  c.origin = vm["origin"].as<std::string>();
  c.access_log = vm["access-log"].as<std::string>();
  c.access_log_format = vm["access-log-format"].as<std::string>();
  c.server_name = vm["server-name"].as<std::string>();
  c.default_site = vm["default-site"].as<std::string>();
  c.mode = vm["mode"].as<std::string>();
  c.pull_disk_dir = vm["pull-disk-dir"].as<std::string>();
  c.pull_health_path = vm["pull-health-path"].as<std::string>();
  if (vm.count("origin-url")) c.origin_urls = origin_url_lines(vm["origin-url"].as<std::vector<std::string>>());
  if (vm.count("pull-prefix")) c.pull_prefixes = vm["pull-prefix"].as<std::vector<std::string>>();
  if (auto bad = check_pull_keys("", c.mode, c.origin_urls, c.pull_prefixes)) return *bad;
  c.pull_query = vm["pull-query"].as<std::string>();
  if (auto bad = check_pull_query("", c.pull_query)) return *bad;
  if (vm.count("network-limit")) c.network_limits = vm["network-limit"].as<std::vector<std::string>>();
  if (vm.count("trusted-key")) c.trusted_keys = vm["trusted-key"].as<std::vector<std::string>>();
  c.cache_control_html = vm["cache-control-html"].as<std::string>();
  c.cache_control_default = vm["cache-control-default"].as<std::string>();
  c.check_only = vm.count("check-config") > 0;
  for (const EdgeBounded& row : kBounded) {
    std::uint64_t value = row.wide ? c.*row.wide : c.*row.narrow;
    if (auto bad = convert_bounded(vm, row.option, value)) return *bad;
    if (row.wide) c.*row.wide = value; else c.*row.narrow = static_cast<unsigned>(value);
  }
  if (auto bad = convert_real(vm, "address-rate", 0, 1e9, c.address_rate)) return *bad;
  // Between 0 and 0.001 the limiter's interval 1/rate overflows and lets
  // everything through (edge/server/address_limiter.h, kMinRate).
  if (c.address_rate != 0 && c.address_rate < 0.001)
    return CliOutcome::usage("--address-rate: '" + vm["address-rate"].as<std::string>() + "' is neither 0 (off) nor at least 0.001");
  if (auto bad = convert_real(vm, "address-burst", 0, 1e9, c.address_burst)) return *bad;
  if (auto bad = parse_tls_options(vm, c)) return *bad;
  if (auto bad = convert_switch(vm, "http2", c.http2)) return *bad;
  const auto& memory = vm["memory-cache"].as<std::string>();
  if (memory == "auto") {
    c.memory_cache_bytes = physical_memory_bytes() / 4;
  } else if (auto bad = convert_bounded(vm, {"memory-cache", Unit::size, 0, kTiB}, c.memory_cache_bytes)) {
    return *bad;
  }
  if (c.workers == 0) c.workers = std::max(1u, std::thread::hardware_concurrency());
  if (c.listen.empty()) return CliOutcome::usage("--listen: at least one listener is needed");
  if (c.store.empty()) return CliOutcome::usage("--store: must name a directory");
  if (has_control_byte(c.pull_disk_dir)) return CliOutcome::usage("--pull-disk-dir: control characters are not allowed");
  if (auto bad = check_health_probe(c.pull_health_path, c.pull_health_interval_ms, c.pull_health_timeout_ms)) return *bad;
  if (auto bad = check_origin("origin", c.origin)) return *bad;
  if (c.max_target_bytes > c.max_head_bytes)
    return CliOutcome::usage("--max-target-bytes: must be at most --max-header-bytes (" + format_byte_size(c.max_head_bytes) + ")");
  if (c.open_files < c.workers) return CliOutcome::usage("--open-files: at least one per worker");
  if (c.access_log.empty()) return CliOutcome::usage("--access-log: use a file name, - or off");
  if (c.access_log_format != "combined" && c.access_log_format != "json")
    return CliOutcome::usage("--access-log-format: '" + c.access_log_format + "' is neither combined nor json");
  for (const char* option : {"cache-control-html", "cache-control-default", "server-name", "admin-token"}) {
    const auto& v = vm[option].as<std::string>();
    if (has_control_byte(v)) return CliOutcome::usage(std::string("--") + option + ": control characters are not allowed");
  }
  if (vm.count("cache-control-rule")) {
    for (const auto& rule : vm["cache-control-rule"].as<std::vector<std::string>>()) {
      if (auto bad = parse_cache_control_rule("cache-control-rule", rule, c.cache_control_rules)) return *bad;
    }
  }
  if (auto bad = parse_use_as_dictionary(vm["use-as-dictionary"].as<std::string>(), c)) return *bad;
  if (auto bad = parse_site_sections(site_keys, c)) return *bad;
  if (c.pull_disk_dir.empty()) {
    // Beside the published blobs/ of the store that pulls: the global one,
    // or with sections the first pulling site's (the global store is unused).
    std::string store = c.store;
    for (const SiteConfig& site : c.sites) {
      if (site.mode != "manifest") {
        store = site.store;
        break;
      }
    }
    c.pull_disk_dir = store + "/pulled";
  }
  if (!c.sites.empty()) {
    // With sections, each site has its own: a global one would serve nothing.
    for (const char* option : {"store", "origin", "mode", "origin-url"}) {
      if (vm.count(option) && !vm[option].defaulted()) return CliOutcome::usage(std::string("--") + option + ": with [site.*] sections, each site names its own (site.NAME." + option + ")");
    }
  } else if (!c.default_site.empty()) {
    return CliOutcome::usage("--default-site: '" + c.default_site + "' is not a [site.*] section of the config file");
  }
  if (vm.count("query-key")) {
    for (const auto& key : vm["query-key"].as<std::vector<std::string>>()) {
      if (auto bad = parse_query_key("query-key", key, c.query_keys)) return *bad;
    }
  }
  return CliOutcome::run_it();
}

std::string describe_edge_config(const EdgeConfig& c) {
  // One "key = value" line per option, in the config file's syntax, values
  // resolved (auto memory, worker count): what the edge would run with.
  std::string out;
  auto line = [&out](std::string_view key, std::string_view value) {
    out.append(key).append(" = ").append(value).append("\n");
  };
  auto lines = [&line](std::string_view key, const std::vector<std::string>& values) {
    for (const std::string& v : values) line(key, v);
  };
  lines("listen", c.listen);
  line("admin-listen", c.admin_listen);
  line("admin-token", c.admin_token.empty() ? "" : "(set)");
  line("store", c.store);
  line("origin", c.origin);
  line("memory-cache", format_byte_size(c.memory_cache_bytes));
  line("access-log", c.access_log);
  line("access-log-format", c.access_log_format);
  line("server-name", c.server_name);
  line("default-site", c.default_site);
  line("mode", c.mode);
  lines("origin-url", c.origin_urls);
  lines("pull-prefix", c.pull_prefixes);
  line("pull-query", c.pull_query);
  line("pull-disk-dir", c.pull_disk_dir);
  line("pull-health-path", c.pull_health_path);
  for (const EdgeBounded& row : kBounded) {
    const std::uint64_t value = row.wide ? c.*row.wide : c.*row.narrow;
    const Unit unit = row.option.unit;
    line(row.option.name, unit == Unit::duration ? format_duration_ms(value)
                          : unit == Unit::size   ? format_byte_size(value)
                                                 : std::to_string(value));
  }
  char real[64];
  std::snprintf(real, sizeof real, "%g", c.address_rate);
  line("address-rate", real);
  std::snprintf(real, sizeof real, "%g", c.address_burst);
  line("address-burst", real);
  lines("network-limit", c.network_limits);
  line("cache-control-html", c.cache_control_html);
  line("cache-control-default", c.cache_control_default);
  for (const CacheControlRule& rule : c.cache_control_rules) line("cache-control-rule", rule.prefix + "=" + rule.value);
  lines("query-key", c.query_keys);
  lines("tls-listen", c.tls_listen);
  line("tls-cert", c.tls_cert);
  line("tls-key", c.tls_key);
  lines("tls-sni-cert", c.tls_sni_certs);
  line("tls-ciphers", c.tls_ciphers);
  line("tls-ciphersuites", c.tls_ciphersuites);
  line("tls-ocsp-response", c.tls_ocsp_response);
  line("tls-session-tickets", c.tls_session_tickets ? "on" : "off");
  line("http2", c.http2 ? "on" : "off");
  line("use-as-dictionary", c.use_as_dictionary);
  lines("trusted-key", c.trusted_keys);
  out += describe_sites(c);
  return out;
}

}  // namespace relais
