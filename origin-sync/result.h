// Error and Result<T>: failures that input can cause, as values.
//
// Modelled on Pingora's Error { etype, esource, retry, context }: the source
// decides between a 400, a 502 and an operator's log line; `retryable` decides
// whether the origin fetch is tried again. C++20 has no std::expected, so
// Result<T> is a small variant with the same shape; it is [[nodiscard]] so a
// failure cannot be dropped silently.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "origin-sync/assert.h"

namespace relais {

enum class ErrorSource : unsigned char {
  client,    // bytes a client sent
  origin,    // the origin's answers or its manifest
  storage,   // the local disk
  config,    // operator configuration or command line
  internal,  // our own bug or resource exhaustion
};

struct Error {
  ErrorSource source = ErrorSource::internal;
  bool retryable = false;
  std::string message;  // one line, says what failed and where

  static Error client(std::string m) { return {ErrorSource::client, false, std::move(m)}; }
  static Error origin(std::string m, bool retry = true) { return {ErrorSource::origin, retry, std::move(m)}; }
  static Error storage(std::string m) { return {ErrorSource::storage, false, std::move(m)}; }
  static Error config(std::string m) { return {ErrorSource::config, false, std::move(m)}; }
  static Error internal(std::string m) { return {ErrorSource::internal, false, std::move(m)}; }
};

// Result<T>: either a T or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { RELAIS_ASSERT(ok()); return std::get<0>(v_); }
  const T& value() const& { RELAIS_ASSERT(ok()); return std::get<0>(v_); }
  T&& value() && { RELAIS_ASSERT(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { RELAIS_ASSERT(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { RELAIS_ASSERT(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace relais
