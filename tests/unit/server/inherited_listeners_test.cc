// RELAIS_LISTEN_FDS: what a new binary takes from the one it replaces. Only
// open listening sockets are adopted; anything else in the variable is skipped.
#include "edge/server/inherited_listeners.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "edge/server/listener.h"

namespace relais {
namespace {

UniqueFd listening() {
  auto fd = open_listener(parse_socket_address("127.0.0.1:0").value(), false);
  EXPECT_TRUE(fd.ok());
  return std::move(fd.value());
}

TEST(InheritedListeners, FormatThenParseGivesTheSameRecords) {
  UniqueFd a = listening(), b = listening();
  const std::vector<ListenerRecord> records = {{a.get(), "http", "127.0.0.1:0"}, {b.get(), "admin", "[::1]:9090"}};
  const auto parsed = parse_listener_records(format_listener_records(records));
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].fd, a.get());
  EXPECT_EQ(parsed[0].kind, "http");
  EXPECT_EQ(parsed[0].configured, "127.0.0.1:0");
  EXPECT_EQ(parsed[1].kind, "admin");
  EXPECT_EQ(parsed[1].configured, "[::1]:9090");
}

TEST(InheritedListeners, SkipsWhatIsNotAnOpenListeningSocket) {
  UniqueFd good = listening();
  UniqueFd connected(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));  // a socket, not listening
  const std::string g = std::to_string(good.get());
  const std::string table[] = {
      "",
      "garbage",
      "1 http 127.0.0.1:0",                                      // stdout: below 3
      "99999 http 127.0.0.1:0",                                  // not open
      std::to_string(connected.get()) + " http 127.0.0.1:0",     // not listening
      g + " ftp 127.0.0.1:0",                                    // unknown kind
      g + "x http 127.0.0.1:0",                                  // not a number
      g + " http",                                               // no address
  };
  for (const std::string& text : table) EXPECT_TRUE(parse_listener_records(text).empty()) << text;
  // The same fd twice would be closed twice by two owners.
  EXPECT_EQ(parse_listener_records(g + " http a:1;" + g + " http a:1").size(), 1u);
}

TEST(InheritedListeners, TakesByKindAndConfiguredAddressAndClearsTheVariable) {
  UniqueFd a = listening(), b = listening(), c = listening();
  const std::string text = format_listener_records({{a.release(), "http", "127.0.0.1:0"},
                                                    {b.release(), "http", "127.0.0.1:0"},
                                                    {c.release(), "https", "127.0.0.1:0"}});
  ASSERT_EQ(::setenv(kListenFdsVariable, text.c_str(), 1), 0);
  InheritedListeners inherited = InheritedListeners::from_environment();
  EXPECT_EQ(std::getenv(kListenFdsVariable), nullptr);
  EXPECT_EQ(inherited.take("http", "127.0.0.1:0").size(), 2u);
  EXPECT_TRUE(inherited.take("http", "127.0.0.1:0").empty());  // taken once
  EXPECT_TRUE(inherited.take("https", "0.0.0.0:443").empty());
  EXPECT_EQ(inherited.take("https", "127.0.0.1:0").size(), 1u);
}

}  // namespace
}  // namespace relais
