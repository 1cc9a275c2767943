// PullService: a worker's pull-through gateway (http/pull_gateway.h), the
// RFC 9111 cache in front of each pulling site's origin.
//
// Owns, per worker, on its event loop: the OriginClient (libcurl multi on
// the worker's libevent base), the Coalescer (one origin fetch per key,
// streamed to every waiter), the PulledTable (the memory tier of pulled
// objects), the store fills in flight, and the outcome counters.
// serve() answers a hit at once (decide_reuse, Age, Cache-Status, client
// conditionals); a miss, a stale object to revalidate or a refused join
// becomes a PullExchange (pull_exchange.h) the protocol holds until its end.
// Every origin fetch also gets a PullFill (pull_fill.h) that stores the
// response when RFC 9111 allows it.
//
// Never an open proxy: the origin is the site's configured one
// (PullRouting::origin_urls, tried in order when one fails: upstream/failover_fetch.h),
// the request is rebuilt by origin_request.h.
// Destroyed after every connection of its worker (they hold exchanges).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "edge/cache/freshness/reuse.h"
#include "edge/cache/freshness/storability.h"
#include "edge/http/pull_gateway.h"
#include "edge/http/responder.h"
#include "edge/pull/pull_slices.h"
#include "edge/pull/pulled_table.h"
#include "edge/pull/variant_compressor.h"
#include "edge/upstream/coalescer.h"
#include "edge/upstream/origin_client.h"
#include "edge/upstream/origin_prober.h"

struct event_base;

namespace relais::pull {

class PulledDisk;

struct PullSettings {
  upstream::OriginSettings origin;
  upstream::CoalescerSettings coalescer;
  std::uint64_t memory_bytes = 64ull << 20;  // this worker's PulledTable
  std::uint64_t object_max = 16ull << 20;    // larger responses are streamed, not stored
  // A disk hit whose body is larger is sent from its file (sendfile), never
  // read into RAM on the loop nor promoted: `memory-object-max`, the bound
  // the published tiers put between RAM and disk.
  std::uint64_t file_min = UINT64_MAX;
  std::uint64_t compress_max = 1ull << 20;   // identity text up to this is compressed once stored; 0: never
  std::uint64_t slice_size = 1ull << 20;     // a cold key's Range asks for slices of this size (pull_slices.h); 0: off
  std::uint64_t slice_min = 8ull << 20;      // smaller objects are fetched whole
  std::uint32_t address_fetches = 0;         // fetches one client address started, in flight; 0: no cap
  freshness::ReusePolicy reuse;              // error_grace, freshness (negative_lifetime)
  freshness::StorePolicy store;
  // Active health checks (upstream/origin_prober.h): with a path, every
  // origin of probe_origins (all the pulling sites', as configured at start)
  // is probed from construction on.
  upstream::ProbeSettings probe;
  std::vector<std::string> probe_origins;
  unsigned worker = 0;  // the worker's index, in the probes' log lines (each worker probes on its own)
  // The disk tier shared by every worker (pulled_disk.h); nullptr: none.
  // Owned by the server, outlives the services.
  PulledDisk* disk = nullptr;
  // RFC 9111 §4.4 after a pass: drops the table key of `site` in every other
  // worker's table (thread-safe, asynchronous: each worker's loop does it,
  // as an admin purge); empty: one worker, nobody else to tell.
  std::function<void(std::uint16_t site, const std::string& key)> invalidate_elsewhere;
};

// Outcomes, counted once per response (metrics: relais_pull_responses_total).
struct PullStats {
  std::uint64_t hit = 0;          // fresh (or allowed stale) from the table, no origin request
  std::uint64_t miss = 0;         // forwarded: nothing usable stored
  std::uint64_t stale = 0;        // served stale: the origin failed (stale-if-error, grace)
  std::uint64_t revalidated = 0;  // a stored response freshened by a 304
  std::uint64_t coalesced = 0;    // joined a fetch already in flight
  std::uint64_t errors = 0;       // 502/503/504 of ours
  std::uint64_t disk_hits = 0;    // memory misses the disk tier answered (then a hit, or a revalidation)
  std::uint64_t pass = 0;         // an unsafe method passed to the origin (pull_pass.h), never stored
  std::uint64_t invalidated = 0;  // stored objects this worker dropped after a pass (RFC 9111 §4.4)
  // Compression of identity text (pull_compression.h).
  std::uint64_t compressed = 0;           // objects that got coded variants
  std::uint64_t compress_skipped = 0;     // eligible, but the compressor's queue was full
  std::uint64_t compress_saved_bytes = 0; // body bytes not sent because a hit was served coded
};

class PullFill;

// An origin fetch a client's exchange joins as a miss (a PullFill joins it
// too when it is new): what serve() decided, kept by a cold key's first
// slice request to ask again for the whole object (pull_slices.h).
struct MissFetch {
  std::string primary;
  OwnedFields request_fields;
  std::vector<upstream::OriginTarget> targets;
  upstream::OriginRequest request;
  std::string key;
  std::int64_t now = 0;
  std::uint64_t slice_index = 0;  // with slice_rules.size: the slice asked (request.range)
  SliceRules slice_rules;         // size 0: the whole object
  std::uint64_t client = 0;       // RequestContext::client of whoever started it (pull-address-fetches)
};

// Objects waiting for the compressor thread, per worker; beyond, an eligible
// object stays identity only (a burst of new text must not queue unbounded
// memory and CPU behind it).
inline constexpr std::size_t kCompressQueueMax = 16;

class PullService final : public http::PullGateway {
 public:
  using Clock = std::function<std::int64_t()>;           // seconds since the epoch
  using DateText = std::function<std::string_view()>;    // IMF-fixdate of now
  // compressed: thread-safe, makes the worker's loop call
  // collect_compressed(); without it nothing is compressed.
  PullService(event_base* base, PullSettings settings, Clock now, DateText date,
              std::function<void()> compressed = {});
  ~PullService() override;
  PullService(const PullService&) = delete;
  PullService& operator=(const PullService&) = delete;

  http::ResponseSummary serve(const http::PullQuery& query, const http::RequestContext& context,
                              http::ResponseSink& now) override;

  const PullStats& stats() const { return stats_; }
  PullStats& stats() { return stats_; }
  PulledTable& table() { return table_; }
  upstream::Coalescer& coalescer() { return coalescer_; }
  upstream::OriginClient& origin_client() { return client_; }
  std::size_t& passes_in_flight() { return passes_in_flight_; }
  // RFC 9111 §4.4: the table keys of `site` (normalised path and kept query)
  // dropped here, on the disk tier and, through invalidate_elsewhere, in
  // every other worker: the next GET of each goes to the origin.
  void invalidate(std::uint16_t site, const std::vector<std::string>& keys);
  // nullptr without probes; stop_probes() on a drain (no new probe, none in flight).
  const upstream::OriginProber* prober() const { return prober_.get(); }
  void stop_probes();
  const PullSettings& settings() const { return settings_; }
  std::int64_t now() const { return now_(); }
  std::string_view date() const { return date_(); }
  // A response to keep: into this worker's table and, when there is one,
  // queued for the disk tier (a fill's end, a 304's freshened copy).
  bool keep(const std::string& primary, PulledRef object);  // false: too large for the table
  // A stored response a 304 disowned (RFC 9111 §4.3.4): out of this
  // worker's table if it is still that very object, and off the disk tier.
  void drop(const std::string& primary, const PulledObject& object);
  // A fill starts with each new origin fetch; finished ones are dropped on the next serve().
  void add_fill(std::unique_ptr<PullFill> fill);
  // Joins waiter to fetch's key (a fetch of its own when the one in flight
  // dropped its body's start), with a fill when the fetch is new; stale: the
  // stored response a revalidation is about.
  upstream::JoinRefusal join_miss(MissFetch& fetch, const PulledRef& stale, upstream::FetchWaiter& waiter);
  // A sliced head whose object changed (pull_slices.h): gone, if still stored.
  // (The same version: its ETag, whichever copy of the head the caller holds.)
  // Off the disk tier too, whichever version it holds (at worst a miss).
  void drop_sliced(const std::string& primary, const PulledObject& head);
  // The slice stored under key (slice_key), from this worker's table or else
  // the disk tier (promoted to the table, or left in its file when larger
  // than file_min or the table); nullptr if neither has it.
  PulledRef find_slice(const std::string& key);
  // Whether either tier holds it, without reading it (the read-ahead's test).
  bool slice_stored(const std::string& key);
  // A newly stored object: queued for coded variants when eligible
  // (pull_compression.h); the compressor thread starts on first use.
  void offer_compression(const std::string& primary, const PulledRef& object);
  // On the loop: attaches finished variants to the objects still storing
  // their body (a copy of each with `coded` set replaces it, also on disk).
  void collect_compressed();

 private:
  void sweep_fills();
  // An error page of ours with its Cache-Status detail, counted (serve()'s).
  using Refusal = std::function<http::ResponseSummary(std::uint16_t status, std::string_view detail)>;
  // POST, PUT, PATCH, DELETE: passed to the origin, never stored (pull_pass.h).
  http::ResponseSummary serve_pass(const http::PullQuery& query, const http::RequestContext& context,
                                   const Refusal& refuse);
  // Every one of a site's origins marked down (passively or by its probe).
  bool all_origins_down(const std::vector<upstream::OriginTarget>& targets) const;
  // The disk tier's key of a table key (pulled_disk.h: disk_site_label).
  std::string disk_primary(const std::string& primary) const;

  PullSettings settings_;
  Clock now_;
  DateText date_;
  upstream::OriginClient client_;
  upstream::Coalescer coalescer_;
  PulledTable table_;
  std::vector<std::unique_ptr<PullFill>> fills_;
  std::unordered_map<std::uint64_t, std::uint32_t> fetches_by_client_;  // fills alive, by who started them
  std::unordered_set<std::string> refreshing_;  // background refreshes in flight (stale-while-revalidate)
  std::vector<std::string> site_labels_;  // by site index, as serve() saw them
  std::uint64_t solo_fetches_ = 0;  // keys of fetches of their own (a late join)
  std::size_t passes_in_flight_ = 0;  // within coalescer.max_keys, as the fetches of GETs are
  PullStats stats_;
  std::function<void()> compressed_;
  std::unique_ptr<VariantCompressor> compressor_;  // made on the first eligible object
  // Probes have a client of their own (one connection per origin): behind
  // client fetches in a full pool (pull-max-connections) a probe would time
  // out and mark a busy but healthy origin down; and a probe cut mid-body
  // closes only its own connection.
  std::unique_ptr<upstream::OriginClient> probe_client_;
  std::unique_ptr<upstream::OriginProber> prober_;  // after the clients and coalescer_: goes first
};

// The Coalescer key of a whole fetch: the table's key, the coding and the validators sent.
std::string miss_key(const std::string& primary, const upstream::OriginRequest& request);

// "http://host:port" -> "host:port" (the Host we send); empty if not a base URL.
std::string origin_authority(std::string_view base_url);

}  // namespace relais::pull
