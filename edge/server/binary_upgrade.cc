#include "edge/server/binary_upgrade.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

extern char** environ;

namespace relais {

std::string current_executable() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return {};
  std::string exe(path, static_cast<std::size_t>(n));
  constexpr std::string_view kDeleted = " (deleted)";
  if (exe.ends_with(kDeleted)) exe.resize(exe.size() - kDeleted.size());
  return exe;
}

Result<pid_t> start_upgraded_binary(const std::string& executable, const std::vector<std::string>& arguments,
                                    const std::vector<ListenerRecord>& listeners) {
  if (executable.empty() || ::access(executable.c_str(), X_OK) != 0)
    return Error::internal("upgrade: cannot execute '" + executable + "': " + std::strerror(errno));
  // Everything the child needs is built before fork(): between fork and exec
  // a multi-threaded process may only make async-signal-safe calls.
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with(std::string(kListenFdsVariable) + "=") || entry.starts_with(std::string(kUpgradeFromVariable) + "="))
      continue;
    environment.emplace_back(entry);
  }
  environment.push_back(std::string(kListenFdsVariable) + "=" + format_listener_records(listeners));
  environment.push_back(std::string(kUpgradeFromVariable) + "=" + std::to_string(::getpid()));
  std::vector<char*> envp;
  for (std::string& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = arguments;
  args.at(0) = executable;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<int> fds;
  for (const ListenerRecord& r : listeners) fds.push_back(r.fd);

  const pid_t pid = ::fork();
  if (pid < 0) return Error::internal(std::string("upgrade: fork: ") + std::strerror(errno));
  if (pid == 0) {
    for (int fd : fds) (void)::fcntl(fd, F_SETFD, 0);  // inherited across exec
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

pid_t upgrade_parent() {
  const char* text = std::getenv(kUpgradeFromVariable);
  if (text == nullptr) return 0;
  const pid_t named = static_cast<pid_t>(std::strtol(text, nullptr, 10));
  ::unsetenv(kUpgradeFromVariable);
  // Only the process that started us: a stale variable must not make an
  // edge stop some unrelated process.
  return named > 1 && named == ::getppid() ? named : 0;
}

}  // namespace relais
