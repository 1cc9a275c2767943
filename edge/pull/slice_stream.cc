#include "edge/pull/slice_stream.h"

#include <algorithm>

#include "edge/http/ascii_case.h"
#include "edge/pull/pull_fill.h"
#include "edge/pull/pull_service.h"
#include "edge/pull/pull_slices.h"
#include "edge/pull/pulled_record_file.h"
#include "edge/pull/pulled_response.h"

namespace relais::pull {

SliceStream::SliceStream(PullService& service, http::StreamSink& sink, SliceJob job)
    : service_(service), sink_(sink), job_(std::move(job)) {}

SliceStream::~SliceStream() {
  if (reader_id_ != 0) service_.coalescer().leave(reader_id_);
}

void SliceStream::start() {
  const PulledObject& head = *job_.head;
  const std::uint64_t length = head.length;
  std::vector<http::HeaderField> fields;
  forwarded_fields(head.fields, fields);
  const std::string_view date = stored_date(head.fields);
  ServeOptions options{job_.server, service_.date(), job_.head_only, job_.close, job_.age, job_.status, nullptr};
  const http::RangeSet set =
      job_.head_only ? http::RangeSet{} : select_ranges(job_.ranges, 200, head.stored.facts, length);
  if (set.kind == http::RangeSet::Kind::unsatisfiable) {
    keep_for_unsatisfiable(fields);
    WholeResponse whole(sink_);
    summary_ = send_unsatisfiable(fields, date, length, options, whole);
    finish(true);
    return;
  }
  // Several ranges: the whole 200 (§14.2); a multipart body made of slices is left for later.
  const bool one = set.kind == http::RangeSet::Kind::satisfiable && set.count == 1;
  range_ = one ? set.ranges[0] : http::ByteRange{0, length - 1};
  const std::uint16_t status = one ? 206 : 200;
  http::Response r(status, job_.server, date.empty() ? service_.date() : date, job_.close);
  r.forwarded = fields;
  char cache_status[freshness::kMaxCacheStatusBytes];
  add_cache_fields(r, options, cache_status);
  summary_ = http::ResponseSummary{status, 0, job_.close, false, false, false};
  if (job_.head_only) {
    r.add(http::field::content_length, length);
    sink_.head(r);
    finish(true);
    return;
  }
  r.body.kind = http::ResponseBody::Kind::stream;
  r.body.length_known = true;
  r.body.size = range_.length();
  if (one) r.add_content_range(&range_, length);
  sink_.head(r);
  const SliceSpan span = slices_of(range_, head.slice_size);
  index_ = span.first;
  last_ = span.last;
  begin_slice();
  pump();
}

void SliceStream::resume() {
  if (ended_) return;
  if (reader_id_ != 0) service_.coalescer().resume(reader_id_);
  else pump();
}

// Re-entered from a reader callback inside join() (a fetch whose bytes are
// there already): the outer loop goes on instead of a deeper one.
void SliceStream::pump() {
  if (pumping_) {
    again_ = true;
    return;
  }
  pumping_ = true;
  do {
    again_ = false;
    step();
  } while (again_ && !ended_);
  pumping_ = false;
}

void SliceStream::step() {
  while (!ended_ && reader_id_ == 0) {
    if (index_ > last_) {
      finish(true);
      return;
    }
    // Looked up again at each turn, never held across one: a reader that
    // waits on its client keeps no slice alive after the table let it go
    // (an outside attack: 100 stalled clients on 100 slices pinned 163 MiB
    // beside a 32 MB pull-memory). A slice on disk larger than file_min is
    // its file, held (an fd, no RAM) and read a chunk at a time.
    PulledRef slice = file_slice_;
    if (slice == nullptr)
      slice = service_.find_slice(slice_key(job_.primary, job_.head->stored.facts.etag, job_.head->slice_size, index_));
    const http::ByteRange bounds = slice_bounds(index_, job_.head->slice_size, job_.head->length);
    if (slice == nullptr || slice->body_size() != bounds.length()) {
      // The client's own slice first: a read-ahead never takes its key (pull-max-keys).
      join_slice();
      if (!ended_) read_ahead();
      continue;  // joined: the reader has it (or took it whole inside the join)
    }
    if (slice->file != nullptr) file_slice_ = slice;
    if (!ahead_) {
      ahead_ = true;
      read_ahead();
    }
    if (!send_stored(*slice)) return;
    next_slice();
  }
}

bool SliceStream::send_stored(const PulledObject& slice) {
  const std::uint64_t end = cut_in_slice(range_, index_, job_.head->slice_size, job_.head->length).last + 1;
  std::string chunk;  // a file's bytes, this turn only
  while (stored_at_ < end) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(end - stored_at_, upstream::Coalescer::kMaxOffer));
    std::string_view piece;
    if (slice.file != nullptr) {
      const OpenBlob& file = *slice.file->body;
      chunk.resize(n);
      // Checked when it was written or first loaded, its size at open: a
      // file cut since ends the answer as a cut origin body would.
      if (!read_at(file.fd.get(), chunk.data(), n, file.start + stored_at_)) {
        finish(false);
        return false;
      }
      piece = chunk;
    } else {
      piece = std::string_view(slice.body->bytes).substr(static_cast<std::size_t>(stored_at_), n);
    }
    const std::size_t taken = sink_.body(piece);
    stored_at_ += taken;
    summary_.body_bytes += taken;
    if (taken < n) return false;  // resume() comes back here
  }
  return true;
}

void SliceStream::begin_slice() {
  file_slice_.reset();
  ahead_ = false;
  stored_at_ = cut_in_slice(range_, index_, job_.head->slice_size, job_.head->length).first;
}

void SliceStream::next_slice() {
  ++index_;
  if (index_ <= last_) begin_slice();
}

upstream::OriginRequest SliceStream::slice_request(std::uint64_t index) const {
  upstream::OriginRequest request;
  request.path = job_.path;
  request.range = slice_range_value(index, job_.head->slice_size);
  // §13.1.5: a changed object answers 200 instead of a part of another version.
  request.if_range = job_.head->stored.facts.etag;
  return request;
}

void SliceStream::join_slice() {
  // From the next byte this client lacks (the slice's start of its range, or
  // where a stored copy that went away left off).
  cut_ = RangeCut({stored_at_, cut_in_slice(range_, index_, job_.head->slice_size, job_.head->length).last});
  file_slice_.reset();
  const bool probe = index_ == job_.probe_index;
  job_.probe_index = UINT64_MAX;  // a probe's fetch is joined once, for its own slice
  const std::string key = probe ? job_.probe_key : fetch_key(index_);
  const upstream::OriginRequest request = slice_request(index_);
  reader_key_ = key;
  const upstream::JoinResult joined = service_.coalescer().join(key, job_.targets, request, reader_);
  if (joined.id == 0) {
    // Refused (pull-max-keys): the head is sent, the body cannot follow. An
    // error, in the metrics and the access log, not the hit it began as.
    ++service_.stats().errors;
    job_.outcome = "pull-error";
    finish(false);
    return;
  }
  if (!joined.collapsed) fill_slice(index_, key, request);
}

void SliceStream::fill_slice(std::uint64_t index, const std::string& key, const upstream::OriginRequest& request) {
  auto fill = std::make_unique<PullFill>(service_, job_.primary, OwnedFields{}, nullptr, service_.now());
  fill->set_slice({index, {job_.head->slice_size, 0, {}}, job_.head});
  const upstream::JoinResult filled = service_.coalescer().join(key, job_.targets, request, *fill);
  if (filled.id != 0) service_.add_fill(std::move(fill));
}

std::string SliceStream::fetch_key(std::uint64_t index) const {
  // A cold key's first answer for this slice, still arriving, has the same
  // bytes (the reader checks its Content-Range and ETag): joined, not asked twice.
  std::string first = slice_key(job_.primary, "", job_.head->slice_size, index);
  if (service_.coalescer().in_flight(first)) return first;
  return slice_key(job_.primary, job_.head->stored.facts.etag, job_.head->slice_size, index);
}

void SliceStream::read_ahead() {
  const std::string& etag = job_.head->stored.facts.etag;
  for (std::uint64_t i = index_ + 1; i <= last_ && i <= index_ + kReadAhead; ++i) {
    // For the store only: it leaves the last key of pull-max-keys to the
    // slice a client waits on (found by an outside attack: with max-keys 2
    // the read-ahead took the client's next slice's key and cut its answer).
    if (service_.coalescer().keys_in_flight() + 1 >= service_.settings().coalescer.max_keys) return;
    const std::string key = fetch_key(i);
    if (service_.coalescer().in_flight(key) ||
        service_.slice_stored(slice_key(job_.primary, etag, job_.head->slice_size, i)))
      continue;
    fill_slice(i, key, slice_request(i));
  }
}

void SliceStream::reader_head(const upstream::OriginHead& head) {
  // A slice not to keep (no-store, private...) is still this one's bytes:
  // sent, never stored (the fill decides the same).
  const std::int64_t now = service_.now();
  const SliceFate fate = judge_slice(head, *job_.head, index_, service_.settings().store, {now, now}, now);
  if (fate == SliceFate::store || fate == SliceFate::pass) return;
  // Another version (a 200 to If-Range, another ETag or length, coded
  // bytes) or gone: what was sent of this one cannot be finished. A failure
  // (5xx) only cuts.
  if (fate == SliceFate::foreign) service_.drop_sliced(job_.primary, *job_.head);
  finish(false);
}

std::size_t SliceStream::reader_body(std::string_view chunk) {
  if (ended_) return chunk.size();
  const std::size_t used = cut_.feed(chunk, sink_, summary_.body_bytes);
  stored_at_ = std::max(stored_at_, cut_.position());
  if (!cut_.complete()) {
    if (used == chunk.size() || service_.coalescer().in_flight(reader_key_)) return used;
    // The client is full and the whole slice has arrived (its fill stores it
    // next, in this same delivery): read on from the stored copy. Staying
    // would keep the fetch's body alive for as long as the client stalls,
    // outside pull-memory, after the table evicted it.
    const upstream::WaiterId id = reader_id_;
    reader_id_ = 0;
    service_.coalescer().leave(id);
    return chunk.size();
  }
  // This slice's part is sent: on to the next, without waiting for the fetch's end.
  const upstream::WaiterId id = reader_id_;
  reader_id_ = 0;
  service_.coalescer().leave(id);
  next_slice();
  pump();
  return chunk.size();
}

void SliceStream::Reader::on_done(const upstream::FetchOutcome&) {
  // Reached only with the slice's part unsent: a cut, short or failed fetch.
  owner_.reader_id_ = 0;
  owner_.finish(false);
}

void SliceStream::finish(bool complete) {
  if (ended_) return;
  ended_ = true;
  if (reader_id_ != 0) {
    const upstream::WaiterId id = reader_id_;
    reader_id_ = 0;
    service_.coalescer().leave(id);
  }
  summary_.site = job_.site;
  summary_.pull = job_.outcome;
  sink_.end(summary_, complete);
}

}  // namespace relais::pull
