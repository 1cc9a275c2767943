#include "origin-sync/http_blob_fetcher.h"

#include <curl/curl.h>

#include <cctype>
#include <cstdio>
#include <mutex>
#include <optional>

#include "origin-sync/blob_path.h"
#include "origin-sync/manifest.h"

namespace relais {

// One request: where the body goes and what the headers said.
struct HttpBlobFetcher::Transfer {
  std::string url;
  std::uint64_t offset = 0;     // Range start (0: no Range header)
  std::uint64_t max_bytes = 0;  // body bytes allowed
  std::string if_none_match;
  BlobSink* sink = nullptr;                 // blob body
  ResumableBlobSink* resumable = nullptr;   // when offset > 0
  std::string* text = nullptr;              // manifest body
  // Filled in by the callbacks:
  long status = 0;
  bool body_started = false;
  std::uint64_t delivered = 0;
  std::optional<std::uint64_t> range_start;  // from Content-Range
  std::string etag;
  std::optional<Error> abort_reason;  // why a callback stopped the transfer
  const std::atomic<bool>* cancel = nullptr;
  void* handle = nullptr;  // the CURL easy handle running it
};

namespace {

std::once_flag curl_init_once;

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  }
  return true;
}

std::string_view header_value(std::string_view line, std::size_t name_size) {
  line.remove_prefix(name_size + 1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
  return line;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<HttpBlobFetcher::Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {  // a new response (after a redirect or 100): forget the last one's headers
    t.etag.clear();
    t.range_start.reset();
  } else if (header_is(line, "etag")) {
    t.etag = std::string(header_value(line, 4));
  } else if (header_is(line, "content-range")) {
    // "bytes START-END/TOTAL"
    std::string_view v = header_value(line, 13);
    if (v.starts_with("bytes ")) {
      v.remove_prefix(6);
      std::uint64_t start = 0;
      std::size_t i = 0;
      for (; i < v.size() && i < 20 && std::isdigit(static_cast<unsigned char>(v[i])); ++i) start = start * 10 + static_cast<std::uint64_t>(v[i] - '0');
      if (i > 0 && i < v.size() && v[i] == '-') t.range_start = start;
    }
  }
  return size * count;
}

// First body byte: decide whether this response may be written at all.
bool accept_body(HttpBlobFetcher::Transfer& t, CURL* curl) {
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &t.status);
  if (t.status == 200 && t.offset > 0 && t.resumable != nullptr) {
    // The origin ignored our Range: start the file and its hash over.
    if (auto s = t.resumable->restart(); !s) {
      t.abort_reason = s.error();
      return false;
    }
    t.max_bytes += t.offset;
    t.offset = 0;
  } else if (t.status == 206) {
    if (t.offset == 0 || t.range_start != t.offset) {
      if (t.resumable != nullptr) (void)t.resumable->restart();  // next attempt starts from 0
      t.abort_reason = Error::origin("206 with a Content-Range that does not start at byte " + std::to_string(t.offset));
      return false;
    }
  } else if (t.status != 200) {
    return false;  // the status is reported after perform()
  }
  t.body_started = true;
  return true;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<HttpBlobFetcher::Transfer*>(user);
  const std::size_t n = size * count;
  if (!t.body_started && !accept_body(t, static_cast<CURL*>(t.handle))) return 0;
  if (t.delivered + n > t.max_bytes) {
    t.abort_reason = Error::origin("body is larger than " + std::to_string(t.max_bytes) + " bytes", false);
    return 0;
  }
  t.delivered += n;
  if (t.text != nullptr) {
    t.text->append(data, n);
    return n;
  }
  if (auto s = t.sink->write(std::string_view(data, n)); !s) {
    t.abort_reason = s.error();
    return 0;
  }
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto& t = *static_cast<HttpBlobFetcher::Transfer*>(user);
  return t.cancel != nullptr && t.cancel->load() ? 1 : 0;
}

bool retryable_status(long status) { return status >= 500 || status == 408 || status == 429; }

}  // namespace

HttpBlobFetcher::HttpBlobFetcher(std::string base_url, HttpFetchSettings settings)
    : base_(std::move(base_url)), settings_(settings) {
  if (!base_.ends_with('/')) base_ += '/';
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpBlobFetcher::~HttpBlobFetcher() {
  for (void* h : pool_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpBlobFetcher::acquire_handle() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      void* h = pool_.back();
      pool_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

long HttpBlobFetcher::stall_seconds() const {
  return std::max(1L, static_cast<long>(settings_.stall_timeout.count() / 1000));
}

void HttpBlobFetcher::release_handle(void* handle) {
  std::lock_guard lock(pool_mutex_);
  pool_.push_back(handle);
}

Status HttpBlobFetcher::perform(Transfer& t) {
  CURL* curl = static_cast<CURL*>(acquire_handle());
  if (curl == nullptr) return Error::internal("libcurl: cannot create a handle");
  curl_easy_reset(curl);  // keeps the handle's connection cache, drops old options
  t.handle = curl;
  t.cancel = settings_.cancel;
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_slist* headers = nullptr;
  if (!t.if_none_match.empty()) headers = curl_slist_append(headers, ("If-None-Match: " + t.if_none_match).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, t.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 3L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(std::max<std::uint64_t>(1, settings_.min_rate)));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, stall_seconds());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.deadline.count()));
  // Blobs are stored precompressed: ask for them as they are.
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, nullptr);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "relais-sync/" RELAIS_VERSION);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
  if (t.offset > 0) curl_easy_setopt(curl, CURLOPT_RANGE, (std::to_string(t.offset) + "-").c_str());
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &t.status);
  curl_off_t connect_us = 0;
  curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connect_us);
  curl_slist_free_all(headers);
  // A handle whose transfer failed may hold a broken connection: do not pool it.
  if (rc == CURLE_OK) release_handle(curl); else curl_easy_cleanup(curl);

  if (t.abort_reason) return *t.abort_reason;
  if (rc == CURLE_ABORTED_BY_CALLBACK) return Error::internal(t.url + ": cancelled");
  if (rc == CURLE_WRITE_ERROR && t.status != 0 && t.status != 200 && t.status != 206) {
    return Error::origin(t.url + ": HTTP " + std::to_string(t.status), retryable_status(t.status));
  }
  if (rc == CURLE_OPERATION_TIMEDOUT && connect_us > 0) {
    // Connected, then too slow: say which bound cut it, in the operator's
    // terms. The elapsed time cannot tell them apart (curl may stop a hair
    // before the deadline), curl's own message can: "Operation too slow" is
    // the low-speed check (lib/speedcheck.c), anything else the total timeout.
    const std::string received = " (" + std::to_string(t.delivered) + " body bytes received)";
    if (std::string_view(errbuf).starts_with("Operation too slow"))
      return Error::origin(t.url + ": slower than " + std::to_string(settings_.min_rate) + " bytes/s for " +
                               std::to_string(stall_seconds()) + " s (a stalled or trickling origin)" + received, true);
    char limit[32];
    std::snprintf(limit, sizeof limit, "%.1f s", static_cast<double>(settings_.deadline.count()) / 1000);
    return Error::origin(t.url + ": not finished within the deadline of " + limit + received, true);
  }
  if (rc != CURLE_OK) {
    // Transport trouble (refused, reset, timeout, truncated body): worth a retry.
    return Error::origin(t.url + ": " + (errbuf[0] != '\0' ? std::string(errbuf) : curl_easy_strerror(rc)), true);
  }
  if (t.status == 304 && !t.if_none_match.empty()) return {};
  if (t.status != 200 && t.status != 206)
    return Error::origin(t.url + ": HTTP " + std::to_string(t.status), retryable_status(t.status));
  // An empty 200 never reached on_body: check it here.
  if (!t.body_started && !accept_body(t, curl)) return t.abort_reason ? *t.abort_reason : Error::origin(t.url + ": bad response");
  return {};
}

Result<ManifestResponse> HttpBlobFetcher::fetch_manifest_if_changed(const std::string& etag) {
  Transfer t;
  ManifestResponse out;
  t.url = base_ + std::string(kManifestFileName);
  t.max_bytes = kManifestMaxBytes;
  t.if_none_match = etag;
  t.text = &out.body;
  if (auto s = perform(t); !s) return s.error();
  out.not_modified = t.status == 304;
  out.etag = t.etag.empty() && out.not_modified ? etag : t.etag;
  return out;
}

Result<std::string> HttpBlobFetcher::fetch_manifest() {
  auto r = fetch_manifest_if_changed("");
  if (!r) return r.error();
  return std::move(r->body);
}

Status HttpBlobFetcher::fetch_blob(const ContentHash& hash, std::uint64_t max_bytes, BlobSink& sink) {
  Transfer t;
  t.url = base_ + blob_relative_path(hash);
  t.max_bytes = max_bytes;
  t.sink = &sink;
  return perform(t);
}

Status HttpBlobFetcher::fetch_blob_from(const ContentHash& hash, std::uint64_t offset, std::uint64_t max_bytes,
                                        ResumableBlobSink& sink) {
  if (offset >= max_bytes) {
    // Nothing left to ask for (a complete partial whose commit was interrupted):
    // a Range past the end would be a 416; fetch the whole blob again.
    if (auto s = sink.restart(); !s) return s;
    return fetch_blob(hash, max_bytes, sink);
  }
  Transfer t;
  t.url = base_ + blob_relative_path(hash);
  t.offset = offset;
  t.max_bytes = max_bytes - offset;
  t.sink = &sink;
  t.resumable = &sink;
  return perform(t);
}

}  // namespace relais
