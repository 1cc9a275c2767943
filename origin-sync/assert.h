// RELAIS_ASSERT: invariants of our own state, checked in every build type.
//
// Programmer errors abort loudly (Varnish's AN()/CHECK_OBJ); input from
// clients, origins, config files or the disk must never reach an assert:
// those failures are values (see result.h).
#pragma once

namespace relais {
[[noreturn]] void assert_failed(const char* expr, const char* file, int line) noexcept;
}  // namespace relais

#define RELAIS_ASSERT(expr) \
  ((expr) ? static_cast<void>(0) : ::relais::assert_failed(#expr, __FILE__, __LINE__))
