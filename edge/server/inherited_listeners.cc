#include "edge/server/inherited_listeners.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace relais {
namespace {

bool is_listening_socket(int fd) {
  int listening = 0;
  socklen_t length = sizeof listening;
  return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0 && listening != 0;
}

}  // namespace

std::string format_listener_records(const std::vector<ListenerRecord>& records) {
  std::string text;
  for (const ListenerRecord& r : records) {
    if (!text.empty()) text += ';';
    text += std::to_string(r.fd) + ' ' + r.kind + ' ' + r.configured;
  }
  return text;
}

std::vector<ListenerRecord> parse_listener_records(const std::string& text) {
  std::vector<ListenerRecord> records;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t end = rest.find(';');
    const std::string_view entry = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    const std::size_t first = entry.find(' ');
    const std::size_t second = first == std::string_view::npos ? first : entry.find(' ', first + 1);
    if (second == std::string_view::npos) continue;
    ListenerRecord r;
    auto [ptr, ec] = std::from_chars(entry.data(), entry.data() + first, r.fd);
    if (ec != std::errc() || ptr != entry.data() + first || r.fd < 3) continue;
    r.kind = std::string(entry.substr(first + 1, second - first - 1));
    r.configured = std::string(entry.substr(second + 1));
    if (r.kind != "http" && r.kind != "https" && r.kind != "admin") continue;
    if (!is_listening_socket(r.fd)) continue;
    bool twice = false;  // two owners of one fd would close it twice
    for (const ListenerRecord& seen : records) twice = twice || seen.fd == r.fd;
    if (twice) continue;
    records.push_back(std::move(r));
  }
  return records;
}

InheritedListeners InheritedListeners::from_environment() {
  InheritedListeners inherited;
  const char* text = std::getenv(kListenFdsVariable);
  if (text == nullptr) return inherited;
  inherited.records_ = parse_listener_records(text);
  ::unsetenv(kListenFdsVariable);
  for (const ListenerRecord& r : inherited.records_) {
    // Exec cleared close-on-exec to pass them; a later fork must not leak them.
    (void)::fcntl(r.fd, F_SETFD, FD_CLOEXEC);
    inherited.owned_.emplace_back(r.fd);
  }
  return inherited;
}

std::vector<UniqueFd> InheritedListeners::take(const std::string& kind, const std::string& configured) {
  std::vector<UniqueFd> taken;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    if (records_[i].kind == kind && records_[i].configured == configured && owned_[i].valid())
      taken.push_back(std::move(owned_[i]));
  }
  return taken;
}

}  // namespace relais
