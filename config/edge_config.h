// EdgeConfig: every setting of relais-edge, with its default and why.
//
// Filled by parse_edge_options() from the command line and the config file
// (config/relais-edge.conf documents each key). Plain data: the edge copies
// what each part needs; nothing here changes after start-up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace relais {

struct CacheControlRule {
  std::string prefix;  // request path prefix, e.g. "/videos/"
  std::string value;   // Cache-Control value sent to browsers
};

// One [site.NAME] section of the config file: a publisher's names, store,
// origin and rules on a shared edge (edge/server/site.h). Keys a section
// leaves out take the global value (rules, query keys, sync schedule,
// max-ranges, trusted keys); store and hosts are its own, origin, certificate and token
// too (empty: none).
// Sites on one edge: bounds the metrics' `site` label and what each worker
// holds per site (a blob store, a catalog reference, ~2 KiB of histogram
// rows reserved per possible site). Host names of all sites together:
// bounds the routing table a config file can make the edge build (each
// SIGHUP builds it again). A fixed bound, documented in relais-edge.conf.
inline constexpr std::size_t kMaxConfiguredSites = 1024;
inline constexpr std::size_t kMaxConfiguredHosts = 65536;

struct SiteConfig {
  std::string name;                 // [A-Za-z0-9_-]+, unique; the `site` of logs and metrics
  std::vector<std::string> hosts;   // "a.example", "*.b.example" (edge/site/site_table.h)
  std::string store;
  std::string origin;               // empty: serve the store as it is
  std::uint64_t sync_interval_ms = 60'000;
  unsigned sync_jobs = 4;
  std::uint64_t max_ranges = 16;
  std::string tls_cert;             // empty: the default certificate
  std::string tls_key;
  std::string admin_token;          // purges this site only; empty: the global token only
  std::string cache_control_html;
  std::string cache_control_default;
  std::vector<CacheControlRule> cache_control_rules;
  std::vector<std::string> query_keys;
  // Pull-through (docs/PULL_THROUGH.md): manifest (only the store), pull
  // (every path through the cache from origin_urls), both (the manifest
  // first; a path outside it goes to the origin under pull_prefixes, or any
  // path when none is listed).
  std::string mode = "manifest";
  std::vector<std::string> origin_urls;  // in order of preference (failover), at most kMaxOriginUrls
  std::vector<std::string> pull_prefixes;
  std::string pull_query = "whole";  // whole | keys (check_pull_query)
  // Ed25519 public keys (PEM) whose signature this site's publications need:
  // its own site.NAME.trusted-key lines, else the global trusted-key ones. A
  // site with its own keys accepts none of the global ones, so one
  // publisher's key cannot vouch for another's store. Empty: unsigned taken.
  std::vector<std::string> trusted_keys;
  bool own_trusted_keys = false;  // from site.NAME.trusted-key (errors name that option)
  // Removed from the file by a reload: routes no host, purges nothing, its
  // threads stopped; kept in its place so that no other site's index (in
  // metrics and logs) changes. Never set by the parser.
  bool retired = false;
};

struct EdgeConfig {
  std::vector<std::string> listen{"0.0.0.0:8080"};
  std::string admin_listen = "127.0.0.1:9090";
  std::string admin_token;  // empty: POST /purge refused
  std::string store = "/var/lib/relais/store";
  std::string origin;       // empty: serve the store as it is, no sync
  // Ed25519 public keys (PEM): with any, only manifests signed by one of them
  // load or sync, no older than the newest accepted (origin-sync/publication_check.h).
  // Empty: unsigned manifests are taken as before, with a warning at start-up.
  std::vector<std::string> trusted_keys;
  std::uint64_t sync_interval_ms = 60'000;
  std::uint64_t gc_grace_ms = 3'600'000;        // unreferenced blobs live this long (requests in flight)
  unsigned sync_jobs = 4;                       // parallel blob downloads: bounds the load on the origin
  std::uint64_t origin_timeout_ms = 10'000;     // connect timeout
  // A transfer averaging under origin_min_rate over origin_stall_timeout is
  // cut: a stalled or trickling origin. 1 KiB/s is far below any real link
  // (2G mobile data moves ~10 KiB/s), but a 1 byte/s trickle no longer holds
  // a sync. The deadline bounds one request whatever its rate: at 1 KiB/s a
  // 1 GiB manifest would take 12 days. Fixed, not scaled by size: a cut blob
  // resumes from where it stopped (Range) on the next attempt, so a huge blob
  // on a slow link costs a reconnect every 10 minutes, never its progress.
  std::uint64_t origin_stall_timeout_ms = 30'000;
  std::uint64_t origin_min_rate = 1024;            // bytes per second
  std::uint64_t origin_deadline_ms = 600'000;      // per request (manifest or blob)
  unsigned sync_retries = 4;                    // per request, with exponential backoff and jitter
  std::uint64_t memory_cache_bytes = 0;   // 0 until resolved: "auto" = 1/4 of RAM
  std::uint64_t memory_object_max_bytes = 4ull << 20;
  // Plain-HTTP (and kernel-TLS) bodies this large go out with sendfile()
  // even when the memory tier holds them: one copy less (tiered_cache.h).
  std::uint64_t sendfile_min = 256 * 1024;
  unsigned workers = 0;                   // 0 until resolved: number of cores
  std::string access_log = "-";           // FILE, "-" (stdout) or "off"
  std::string access_log_format = "combined";  // combined or json (edge/server/request_log_line.h)
  std::string server_name = "relais";
  bool check_only = false;                // --check-config: validate, then exit
  // SIGTERM: stop accepting, let responses in flight finish for at most
  // this long, then cut what is left and exit 0 (systemd's TimeoutStopSec
  // must exceed it, or the stop ends in SIGKILL).
  std::uint64_t drain_timeout_ms = 30'000;

  // Bounds on what one client can make us hold (docs/ARCHITECTURE.md, "Rules").
  std::uint64_t max_head_bytes = 8192;        // slowloris-by-size, header floods: 431
  std::uint64_t max_target_bytes = 4096;      // 414
  std::uint64_t max_headers = 64;             // 431
  std::uint64_t max_request_body_bytes = 64 * 1024;  // bodies on GET are discarded; beyond: 413
  std::uint64_t header_timeout_ms = 10'000;   // slowloris: whole head within this, else 408
  std::uint64_t keepalive_timeout_ms = 60'000;
  std::uint64_t send_timeout_ms = 60'000;     // no write progress for this long: close
  std::uint64_t max_requests_per_connection = 10'000;
  std::uint64_t max_connections = 0;          // 0: derived from RLIMIT_NOFILE
  std::uint64_t max_ranges = 16;              // CVE-2011-3192 class
  // Per client address (IPv4, or IPv6 /64): floods from one source. Generous
  // enough for a school NAT's first minutes; raise per network below.
  std::uint64_t address_connections = 256;    // open connections; beyond: 429 and close
  double address_rate = 500;                  // requests per second (GCRA); beyond: 429
  double address_burst = 1000;                // requests allowed at once above the rate
  std::uint64_t address_slots = 65536;        // limiter table size (fixed memory)
  std::vector<std::string> network_limits;    // "CIDR=CONNS:RATE:BURST", most specific wins
  // Slow readers (slow-read attack): after the grace, a response must move
  // at least this many bytes per second on average, else the connection is dropped.
  std::uint64_t send_min_rate = 1024;
  std::uint64_t send_min_rate_grace_ms = 10'000;
  // TCP_NOTSENT_LOWAT: without it a slow reader's socket queues up to the
  // kernel's 4 MiB send buffer, which an abort must then free on the loop.
  std::uint64_t send_lowat = 1024 * 1024;
  // HTTP/2 (edge/proto/h2/session.h): ALPN h2 on TLS listeners, prior
  // knowledge (h2c) on plain ones; each bound answers an attack (README).
  bool http2 = true;
  std::uint64_t http2_max_streams = 100;          // SETTINGS_MAX_CONCURRENT_STREAMS
  std::uint64_t http2_max_resets = 200;           // resets + stream errors per connection per 10 s (Rapid Reset, MadeYouReset)
  std::uint64_t http2_max_control_frames = 1000;  // SETTINGS/PING/WINDOW_UPDATE/PRIORITY per connection per 10 s
  std::uint64_t http2_hpack_table = 0;            // our HPACK encoder's dynamic table per connection, bytes
  std::uint64_t defer_accept_ms = 0;  // TCP_DEFER_ACCEPT on client listeners; 0 = off
  std::uint64_t open_files = 1024;            // cached open blob fds, all workers together
  // Background re-hashing of the store's blobs, bytes per second for the
  // whole edge (0: off). Large blobs are sent with sendfile() and never read
  // by the edge: this is what finds one corrupted on disk (blob_rehasher.h).
  std::uint64_t rehash_rate = 32ull << 20;
  // Least time from the start of one re-hash pass to the next: a store that
  // takes less than this to re-read waits out the rest, instead of being
  // re-read (and its directories listed) again at once, for ever.
  std::uint64_t rehash_interval_ms = 3'600'000;

  std::string cache_control_html = "public, max-age=60";
  std::string cache_control_default = "public, max-age=86400";
  std::vector<CacheControlRule> cache_control_rules;  // first matching prefix wins
  // Query parameters kept in the lookup key (edge/http/query_key.h); none:
  // the query is ignored, so `?v=random` cannot bypass the cache.
  std::vector<std::string> query_keys;
  // Responses offered as compression dictionaries (RFC 9842,
  // edge/http/dictionary_negotiation.h): comma-separated; an item starting
  // with '/' is a path prefix, any other a content-type prefix; "off": none.
  std::string use_as_dictionary = "text/html,text/css,text/javascript,application/javascript";
  std::vector<std::string> dictionary_path_prefixes;  // parsed from use_as_dictionary
  std::vector<std::string> dictionary_content_types = {"text/html", "text/css", "text/javascript", "application/javascript"};

  // [site.NAME] sections, in file order. None: the global store, origin and
  // rules are the edge's one implicit site, which answers any Host.
  std::vector<SiteConfig> sites;
  std::string default_site;  // the site of a Host no site names; empty: refused (404, 421 on HTTPS)

  // Pull-through: the implicit site's keys (sections have their own), then
  // the bounds every pulling site shares (edge/upstream, edge/pull).
  std::string mode = "manifest";
  std::vector<std::string> origin_urls;  // in order of preference (failover), at most kMaxOriginUrls
  std::vector<std::string> pull_prefixes;
  std::string pull_query = "whole";  // whole | keys (check_pull_query)
  std::uint64_t pull_connect_timeout_ms = 3'000;
  std::uint64_t pull_first_byte_timeout_ms = 15'000;     // a stalled origin holds its waiters this long
  std::uint64_t pull_between_bytes_timeout_ms = 15'000;  // any gap while reading (a pause of ours excluded)
  std::uint64_t pull_min_rate = 1024;  // bytes/s over each between-bytes window; 0: no floor
  std::uint64_t pull_max_connections = 32;   // per origin and worker; beyond, fetches queue
  std::uint64_t pull_idle_connections = 64;  // keep-alive pool per worker
  std::uint64_t pull_max_body = 8ull << 30;  // an origin body beyond this fails the fetch
  // POST, PUT, PATCH, DELETE on a pull path are passed to the origin with
  // their body read whole first, at most this (beyond: 413); 0: not
  // forwarded (405, as on published content).
  std::uint64_t pull_max_request_body = 1ull << 20;
  std::uint64_t pull_max_keys = 1024;        // origin fetches in flight per worker: a random-URL flood's cost
  std::uint64_t pull_address_fetches = 0;    // of them, started by one client address; 0: no cap
  std::uint64_t pull_window = 4ull << 20;    // body bytes a fetch keeps for its slowest client and late joiners
  // A response not stored: a client holding the window full while another
  // waits must take a whole window in this time, or it is cut (0: never).
  std::uint64_t pull_lag_timeout_ms = 15'000;
  std::uint64_t pull_memory = 256ull << 20;  // pulled objects in RAM, all workers together
  std::uint64_t pull_object_max = 16ull << 20;  // larger responses are streamed, not stored
  // The disk tier of pulled objects (edge/pull/pulled_disk.h), shared by the
  // workers: its own directory (empty: STORE/pulled, apart from the
  // published blobs/) and its bound in bytes (0: no disk tier).
  std::string pull_disk_dir;
  std::uint64_t pull_disk_size = 1ull << 30;
  std::uint64_t pull_compress_max = 1ull << 20;  // stored identity text up to this gets br/zstd/gzip; 0: off
  // Slices (docs/PULL_THROUGH.md): a Range on a cold key asks the origin for
  // the aligned slice it starts in; objects of pull_slice_min bytes or more
  // are then stored and fetched slice by slice (0: off).
  std::uint64_t pull_slice_size = 1ull << 20;
  std::uint64_t pull_slice_min = 8ull << 20;
  std::uint64_t pull_negative_ttl_ms = 10'000;  // 404/410 without freshness are cached this long
  std::uint64_t pull_stale_grace_ms = 0;        // stale served this long past expiry when the origin fails
  // Passive origin health, per worker (edge/upstream/origin_health.h): this
  // many failures in a row and an origin is skipped for the down time.
  std::uint64_t pull_origin_fails = 3;
  std::uint64_t pull_origin_down_time_ms = 10'000;
  // Active origin health, per worker (edge/upstream/origin_prober.h): with a
  // path, each origin is asked GET path every interval, cut at the timeout;
  // a failure marks it down, `rise` passes in a row bring it back. Global:
  // the health state is per origin URL, whichever sites list it.
  std::string pull_health_path;  // empty: no probes
  std::uint64_t pull_health_interval_ms = 5'000;
  std::uint64_t pull_health_timeout_ms = 2'000;
  std::uint64_t pull_health_rise = 2;

  // HTTPS (edge/server/tls_context.h). Empty tls_listen: no TLS listener.
  std::vector<std::string> tls_listen;
  std::string tls_cert;                      // PEM, leaf then chain; reloaded on SIGHUP
  std::string tls_key;
  std::vector<std::string> tls_sni_certs;    // "HOST=CERTFILE:KEYFILE", one per host name
  std::string tls_ciphers;                   // TLS 1.2 list; empty: the modern default
  std::string tls_ciphersuites;              // TLS 1.3 suites; empty: the modern default
  std::string tls_ocsp_response;             // DER file stapled with the default certificate
  std::uint64_t tls_ticket_rotation_ms = 43'200'000;  // session ticket key lifetime (12h)
  bool tls_session_tickets = true;                    // false: no resumption, every connection a full handshake
};

}  // namespace relais
