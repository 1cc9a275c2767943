#include "origin-sync/assert.h"

#include <cstdio>
#include <cstdlib>

namespace relais {
void assert_failed(const char* expr, const char* file, int line) noexcept {
  std::fprintf(stderr, "relais: assertion failed: %s (%s:%d)\n", expr, file, line);
  std::abort();
}
}  // namespace relais
