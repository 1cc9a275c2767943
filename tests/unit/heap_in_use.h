// heap_in_use(): the bytes the process's allocator has handed out and not
// had back, for tests that check a structure frees (or never allocates)
// memory. glibc's count (mallinfo2), or the sanitizer allocator's under ASan,
// which replaces malloc. Single-threaded tests only: it counts every thread.
// glibc counts chunks in its per-thread cache as in use: the unit suites run
// with GLIBC_TUNABLES=glibc.malloc.tcache_count=0 (tests/CMakeLists.txt).
#pragma once

#include <malloc.h>

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
// From <sanitizer/allocator_interface.h>, which GCC does not install.
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace relais::test_support {

inline std::size_t heap_in_use() {
#if defined(__SANITIZE_ADDRESS__)
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

}  // namespace relais::test_support
