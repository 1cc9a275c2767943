#include "edge/server/pull_sink.h"

#include "edge/http/ascii_case.h"
#include "edge/proto/h1/response_writer.h"
#include "edge/server/connection.h"

namespace relais {

void PullSink::begin(const http::Request& request, std::uint64_t max_pending_output) {
  max_pending_ = max_pending_output;
  version_minor_ = request.version_minor;
  chunked_ = wants_room_ = ended_ = complete_ = false;
  summary_ = {};
  method_.assign(request.method_token);
  target_.assign(request.target);
  host_.assign(request.host);
  user_agent_.clear();
  referer_.clear();
  for (std::size_t i = 0; i < request.header_count; ++i) {
    const http::HeaderField& f = request.headers[i];
    if (http::equals_ignore_case(f.name, "user-agent")) user_agent_.assign(f.value);
    if (http::equals_ignore_case(f.name, "referer")) referer_.assign(f.value);
  }
}

http::Request PullSink::logged_request() const {
  http::Request r;
  r.method_token = method_;
  r.target = target_;
  r.host = host_;
  r.version_minor = version_minor_;
  auto* fields = const_cast<http::HeaderField*>(log_fields_);
  fields[0] = {"User-Agent", user_agent_};
  fields[1] = {"Referer", referer_};
  r.headers = fields;
  r.header_count = 2;
  return r;
}

void PullSink::head(const http::Response& response) {
  http::ResponseWriter writer(output_, nullptr, version_minor_);
  writer.send(response);
  chunked_ = writer.chunked();
  if (writer.close_delimited()) summary_.close = true;
  connection_.wake_for_pull();
}

std::size_t PullSink::body(std::string_view bytes) {
  if (output_.pending_bytes() >= max_pending_) {
    wants_room_ = true;  // the connection resumes the fetch when the client has read
    return 0;
  }
  http::append_stream_piece(output_, bytes, chunked_);
  connection_.wake_for_pull();
  return bytes.size();
}

void PullSink::end(const http::ResponseSummary& summary, bool complete) {
  const bool close_delimited = summary_.close;
  summary_ = summary;
  summary_.close = summary.close || close_delimited || !complete;
  if (complete && chunked_) http::append_stream_end(output_);
  ended_ = true;
  complete_ = complete;
  connection_.wake_for_pull();
}

void PullSink::reset() {
  pending.reset();
  ended_ = complete_ = wants_room_ = false;
}

}  // namespace relais
