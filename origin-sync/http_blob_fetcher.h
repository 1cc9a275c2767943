// HttpBlobFetcher: an origin that is an http(s):// URL served by any static
// server (nginx, a CDN bucket, `relais-sync publish` output behind Apache).
//
// Layout under the base URL is the publish output: BASE/manifest and
// BASE/blobs/ab/<hex>. Transfers use libcurl with bounds on everything an
// origin could make us spend: a connect timeout, a minimum rate (a transfer
// averaging under `min_rate` for `stall_timeout` is cut: a stalled or
// trickling origin), a total deadline per request (an origin trickling just
// above the minimum rate), a body size cap per request (the manifest cap, or
// the blob's manifest size), protocols limited to http/https (also across at
// most 3 redirects). Easy handles are pooled
// so the worker threads of one pull reuse their keep-alive connections.
// Thread-safe. An HTTP status other than 200/206/304 is an origin error;
// 5xx, 408, 429 and transport errors are retryable, other 4xx are not.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "origin-sync/resumable_fetcher.h"

namespace relais {

struct HttpFetchSettings {
  std::chrono::milliseconds connect_timeout{10'000};
  // Fewer than min_rate bytes per second, on average, for this long: the
  // transfer is cut (whole seconds: curl's granularity).
  std::chrono::milliseconds stall_timeout{30'000};
  std::uint64_t min_rate = 1024;
  // One request (connect, head and body) taking longer than this is cut,
  // however fast it trickles. A cut blob resumes on the next attempt.
  std::chrono::milliseconds deadline{600'000};
  const std::atomic<bool>* cancel = nullptr;  // aborts transfers in flight
};

// The answer to a conditional manifest request.
struct ManifestResponse {
  bool not_modified = false;  // 304: the ETag still matches
  std::string body;           // when modified
  std::string etag;           // the origin's ETag, "" if it sent none
};

class HttpBlobFetcher final : public ResumableBlobFetcher {
 public:
  HttpBlobFetcher(std::string base_url, HttpFetchSettings settings);
  ~HttpBlobFetcher() override;
  HttpBlobFetcher(const HttpBlobFetcher&) = delete;
  HttpBlobFetcher& operator=(const HttpBlobFetcher&) = delete;

  std::string describe() const override { return base_; }
  Result<std::string> fetch_manifest() override;
  // GET BASE/manifest with If-None-Match: etag (none when etag is empty).
  Result<ManifestResponse> fetch_manifest_if_changed(const std::string& etag);
  Status fetch_blob(const ContentHash& hash, std::uint64_t max_bytes, BlobSink& sink) override;
  Status fetch_blob_from(const ContentHash& hash, std::uint64_t offset, std::uint64_t max_bytes,
                         ResumableBlobSink& sink) override;

  struct Transfer;  // one request's state, defined in the .cc

 private:
  void* acquire_handle();
  void release_handle(void* handle);
  Status perform(Transfer& t);
  long stall_seconds() const;

  std::string base_;  // ends with '/'
  HttpFetchSettings settings_;
  std::mutex pool_mutex_;
  std::vector<void*> pool_;  // idle CURL easy handles
};

}  // namespace relais
