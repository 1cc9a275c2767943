#include "edge/proto/h1/response_writer.h"

#include <cstdio>

#include "edge/proto/h1/head_writer.h"
#include "edge/http/multipart.h"
#include "edge/http/representation.h"
#include "edge/http/responder.h"

namespace relais::http {
namespace {

void representation_block(HeadWriter& w, std::string& text, const Representation& rep, HeadCache* heads) {
  const HeadCache::Key key{rep.entry, rep.catalog_serial, rep.cache_control.data(),
                           static_cast<std::uint32_t>(rep.variant)};
  if (heads != nullptr) {
    if (std::string_view block = heads->find(key); !block.empty()) {
      w.raw(block);
      return;
    }
  }
  const std::size_t from = text.size();
  full_representation_fields(rep, [&w](const FieldName& name, std::string_view value) { w.field(name.h1, value); });
  if (heads != nullptr) heads->store(key, std::string_view(text).substr(from));
}

void append_source(ResponseBuffer& out, const BodySource& source, std::uint64_t offset, std::uint64_t length) {
  if (source.from_memory()) {
    out.append_memory(source.memory, offset, length);
  } else if (source.file) {
    out.append_file(source.file, offset, length);
  }
}

void append_body(ResponseBuffer& out, const ResponseBody& body) {
  switch (body.kind) {
    case ResponseBody::Kind::none: return;
    case ResponseBody::Kind::text: out.append_text(body.text); return;
    case ResponseBody::Kind::stream: return;  // its pieces follow (append_stream_piece)
    case ResponseBody::Kind::source: break;
  }
  if (body.ranges.empty()) {
    append_source(out, *body.source, 0, body.size);
    return;
  }
  if (!body.multipart()) {
    append_source(out, *body.source, body.ranges[0].first, body.ranges[0].length());
    return;
  }
  for (const ByteRange& r : body.ranges) {
    const std::size_t from = out.text().size();
    append_part_header(out.text(), body, r);
    out.commit_text(from);
    append_source(out, *body.source, r.first, r.length());
  }
  const std::size_t from = out.text().size();
  append_close_delimiter(out.text(), body);
  out.commit_text(from);
}

}  // namespace

void ResponseWriter::send(const Response& r) {
  HeadWriter w(out_);
  if (r.status == 200 && heads_ != nullptr) {
    w.raw(heads_->ok_prefix(r.server, r.date));
  } else {
    w.status_line(r.status, reason_phrase(r.status));
    w.field("Server", r.server);
    w.field("Date", r.date);
  }
  // A delta's block is formatted each time: the cache keys variants only.
  if (r.representation != nullptr)
    representation_block(w, out_.text(), *r.representation, r.representation->delta == nullptr ? heads_ : nullptr);
  for (const Field& f : r.fields()) w.field(f.name->h1, f.value());
  for (const HeaderField& f : r.forwarded) w.field(f.name, f.value);
  if (r.body.kind == ResponseBody::Kind::stream) {
    // RFC 9112 §6.1, §6.3: the origin's length when it gave one, else chunked;
    // an HTTP/1.0 client knows no chunks: the body ends with the connection.
    if (r.body.length_known) {
      w.field("Content-Length", r.body.size);
    } else if (version_minor_ >= 1) {
      w.field("Transfer-Encoding", "chunked");
      chunked_ = true;
    } else {
      close_delimited_ = true;
    }
  }
  if (r.close || close_delimited_) {
    w.field("Connection", "close");
  } else if (version_minor_ == 0 && !r.error_page) {
    w.field("Connection", "keep-alive");  // HTTP/1.0 persists only when told so
  }
  w.finish();
  append_body(out_, r.body);
}

void append_stream_piece(ResponseBuffer& out, std::string_view bytes, bool chunked) {
  if (bytes.empty()) return;  // an empty chunk would end the body
  if (!chunked) {
    out.append_text(bytes);
    return;
  }
  char size[24];
  const int n = std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  out.append_text(std::string_view(size, static_cast<std::size_t>(n)));
  out.append_text(bytes);
  out.append_text("\r\n");
}

void append_stream_end(ResponseBuffer& out) { out.append_text("0\r\n\r\n"); }

}  // namespace relais::http
