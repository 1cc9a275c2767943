// ResponseWriter: frames a protocol-neutral Response as HTTP/1.1 bytes.
//
// The HTTP/1 ResponseSink: status line, Server and Date, the
// representation's fields, the response's fields, Connection (the one field
// only HTTP/1 has), the empty line, then the body as ResponseBuffer
// segments: text is copied, memory and file bodies are referenced (zero
// copy; the connection sends them with writev() and sendfile()). A full 200
// uses the worker's HeadCache: its status line, Server and Date are one
// copy, and its representation's fields are one copy of a block built the
// first time (head_cache.h). Made per response on the stack; holds nothing.
#pragma once

#include <cstdint>

#include "edge/proto/h1/head_cache.h"
#include "edge/http/response.h"
#include "edge/http/response_buffer.h"

namespace relais::http {

class ResponseWriter final : public ResponseSink {
 public:
  // heads: the worker's pre-built heads, nullptr to format each time.
  // version_minor: of the request answered (HTTP/1.0 keep-alive is announced).
  ResponseWriter(ResponseBuffer& out, HeadCache* heads, std::uint8_t version_minor)
      : out_(out), heads_(heads), version_minor_(version_minor) {}

  void send(const Response& response) override;
  // After send() of a stream body: its pieces go as chunks (HTTP/1.1 without
  // a known length), or the connection ends after it (HTTP/1.0 without one).
  bool chunked() const { return chunked_; }
  bool close_delimited() const { return close_delimited_; }

 private:
  ResponseBuffer& out_;
  HeadCache* heads_;
  std::uint8_t version_minor_;
  bool chunked_ = false;
  bool close_delimited_ = false;
};

// One piece of a stream body (as a chunk when chunked), copied into out.
void append_stream_piece(ResponseBuffer& out, std::string_view bytes, bool chunked);
// The end of a chunked stream body: the last chunk, no trailer.
void append_stream_end(ResponseBuffer& out);

}  // namespace relais::http
