// SyncLoop: the edge's background sync with its origin (--origin, --sync-interval).
//
// Owns one thread that runs origin-sync's sync_store() (store_sync.h) at
// start and then every interval: conditional manifest fetch, missing blobs
// only, verified, manifest replaced last, old blobs collected after the
// grace period. After a sync that changed something it calls on_synced()
// (the edge reloads its catalog there, and workers pick it up lock-free), so
// the thread never touches a worker or a socket, and workers never wait for
// it. A failed sync logs one line to stderr, counts the reason in SyncStats,
// and leaves the catalog in service untouched: the edge keeps serving its
// last complete catalog for as long as the origin stays down, retrying at
// every interval.
//
// Lifecycle: constructed after the first catalog load (so the edge serves
// the on-disk catalog at once), start() from EdgeServer::run(), stop() before
// the workers join. stop() cancels transfers in flight and backoff waits, so
// it returns within about one poll of libcurl (<1 s), not one interval.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "edge/server/background_thread.h"
#include "edge/server/metrics.h"
#include "origin-sync/store_sync.h"

namespace relais {

class SyncLoop {
 public:
  // `site`: the site's name, put in each log line as "site=NAME" (empty:
  // the edge without [site.*] sections, whose lines keep their old form).
  SyncLoop(SyncSettings settings, std::chrono::milliseconds interval, SyncStats& stats, std::function<void()> on_synced,
           std::string site = {});
  ~SyncLoop() { stop(); }
  SyncLoop(const SyncLoop&) = delete;
  SyncLoop& operator=(const SyncLoop&) = delete;

  void start();
  void stop();

 private:
  void run();
  void record(const SyncOutcome& outcome);

  SyncSettings settings_;
  const std::chrono::milliseconds interval_;
  SyncStats& stats_;
  std::function<void()> on_synced_;
  const std::string who_;  // "site=NAME " or empty, before each line
  BackgroundThread thread_;  // last: stopped (and joined) before the rest goes
};

}  // namespace relais
