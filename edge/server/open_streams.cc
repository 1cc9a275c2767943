#include "edge/server/open_streams.h"

#include <algorithm>

namespace relais {

void OpenStreams::note_sent(std::uint64_t sent, std::uint64_t now_us) {
  // A stream's first byte may leave long before its last is queued.
  for (Open& o : open_) o.exchange.note_sent(sent, now_us);
}

std::vector<OpenStreams::Open>::iterator OpenStreams::find(std::int32_t stream_id) {
  return std::find_if(open_.begin(), open_.end(), [stream_id](const Open& o) { return o.id == stream_id; });
}

bool OpenStreams::frame_queued(std::int32_t stream_id, bool ends, std::uint64_t queued_to, ExchangeQueue& queue) {
  const auto it = find(stream_id);
  if (it == open_.end()) return false;
  PendingExchange& e = it->exchange;
  // Its first byte counts as sent once the whole first frame is.
  if (e.start == kNotQueued) e.start = queued_to - 1;
  if (!ends) return true;
  e.end = queued_to;
  std::string& text = queue.text();
  const std::size_t at = text.size();
  text.append(log_text_, e.log_begin, e.log_end - e.log_begin);
  e.log_begin = at;
  e.log_end = text.size();
  queue.push(e);
  open_.erase(it);
  if (open_.empty()) log_text_.clear();
  return true;
}

std::string_view OpenStreams::head_with_bytes(PendingExchange& e, std::uint64_t body_bytes) {
  const std::string_view head = std::string_view(log_text_).substr(e.log_begin, e.log_end - e.log_begin);
  if (body_bytes >= e.body_bytes) return head;
  // The head was written with the promised size at bytes_at (append_log_line_head).
  const std::string promised = std::to_string(e.body_bytes);
  e.body_bytes = body_bytes;
  if (e.bytes_at + promised.size() > head.size() || head.substr(e.bytes_at, promised.size()) != promised) return head;
  scratch_.assign(head.substr(0, e.bytes_at)).append(std::to_string(body_bytes)).append(head.substr(e.bytes_at + promised.size()));
  return scratch_;
}

void OpenStreams::release_memory() {
  if (!open_.empty()) return;
  decltype(open_)().swap(open_);
  std::string().swap(log_text_);
  std::string().swap(scratch_);
}

}  // namespace relais
