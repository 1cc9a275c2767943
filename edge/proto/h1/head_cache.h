// HeadCache: the pre-built fields of a 200 response head, per representation.
//
// Everything in a full response's head except the status line, Date and
// Connection depends only on the representation (entry, variant, the
// Cache-Control rule that matched): Content-Type, Content-Length,
// Content-Encoding, Last-Modified, ETag, Cache-Control, Vary, Accept-Ranges,
// nosniff. A hot object's response then costs one copy of that block instead
// of formatting a date and nine fields. One per worker (not thread-safe);
// direct-mapped and fixed in size (kSlots x kMaxBlock bytes, ~410 KiB, allocated once):
// a colliding representation simply overwrites the slot, a block too long to
// fit is formatted each time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace relais::http {

class HeadCache {
 public:
  static constexpr std::size_t kSlots = 1024;  // index() takes the top 10 bits of a hash
  static constexpr std::size_t kMaxBlock = 400;  // a typical block is 250-300 bytes

  // What a block was built from. The catalog's serial makes an entry pointer
  // of an old catalog (freed, its address reused) unable to match.
  struct Key {
    const void* entry = nullptr;
    std::uint64_t catalog_serial = 0;
    const char* cache_control = nullptr;  // the rule's value: stable for the process
    std::uint32_t variant = 0;
    bool operator==(const Key&) const = default;
  };

  HeadCache();

  // The block stored for key, or empty.
  std::string_view find(const Key& key) const;
  // Remembers block for key (ignored when longer than kMaxBlock).
  void store(const Key& key, std::string_view block);

  // "HTTP/1.1 200 OK", Server and Date lines: rebuilt when the date (once a
  // second) or the server name changes, so a 200 starts with one copy.
  std::string_view ok_prefix(std::string_view server, std::string_view date);

 private:
  struct Slot {
    Key key;
    std::uint16_t length = 0;
    char block[kMaxBlock];
  };
  static std::size_t index(const Key& key);

  std::unique_ptr<Slot[]> slots_;
  std::string ok_prefix_;
  std::string ok_server_;
  std::string ok_date_;
};

}  // namespace relais::http
