// Request fields every protocol picks out the same way: the method token and
// the header fields the semantics read (negotiation, ranges, preconditions).
// The HTTP/1 parser (edge/proto/h1/request_parser) and the HTTP/2 request
// builder (edge/proto/h2/request_builder) both call these, so a field means
// the same thing whichever protocol carried it.
#pragma once

#include <string_view>

#include "edge/http/request.h"

namespace relais::http {

// Methods are case-sensitive (RFC 9110 §9.1): "get" is an unknown method.
Method method_from_token(std::string_view token);

// Notes name: value in request if it is one of the semantic fields
// (Accept-Encoding, Range, If-*). For list fields sent several times only the
// first is kept (request.h). Returns false if the field is not one of them.
bool note_semantic_field(std::string_view name, std::string_view value, Request& request);

}  // namespace relais::http
