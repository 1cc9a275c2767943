// multipart/byteranges framing (RFC 9110 §14.6): the bytes between the parts
// of a multi-range response, defined once so that the Content-Length the
// responder announces and the bytes every protocol writer sends agree.
//
// Each part is CRLF "--" boundary CRLF, Content-Type, Content-Range, CRLF
// CRLF, then the range's bytes; CRLF "--" boundary "--" CRLF closes the body.
// The boundary is random per process (ResponderSettings), so content cannot
// forge it.
#pragma once

#include <cstdint>
#include <string>

#include "edge/http/response.h"

namespace relais::http {

// The whole body's length, framing included. body.multipart() must hold.
std::uint64_t multipart_length(const ResponseBody& body);
// Appends the header of the part for range to out.
void append_part_header(std::string& out, const ResponseBody& body, const ByteRange& range);
// Appends the close delimiter to out.
void append_close_delimiter(std::string& out, const ResponseBody& body);

}  // namespace relais::http
