// relais-edge over h2c against the findings of an outside attack on its
// HTTP/2 server: each a client (tests/integration/h2/h2_client.py, raw
// frames, or RawClient bytes) that the edge used to let through or to
// mistreat, after which a legitimate stream is still served.
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"
#include "tests/integration/h2/h2_client.h"

namespace relais::testing {
namespace {

// python-h2 (as others) answers each DATA frame with a stream and a
// connection WINDOW_UPDATE: the budget earned one per DATA frame, so a long
// download was cut by GOAWAY(ENHANCE_YOUR_CALM). A flood with nothing sent still is.
TEST(EdgeH2Budget, TwoWindowUpdatesPerDataFrameAreLegalAndAFloodIsNot) {
  TempDir dir;
  const std::map<std::string, std::string> files = standard_tree();
  ASSERT_TRUE(publish_tree(dir, files));
  RunningEdge edge = start_edge(dir, {"--http2-max-control-frames", "100"});
  ProcessResult r = run_h2_client({"fetch", std::to_string(edge.port), "GET:/videos/big.bin"});
  EXPECT_NE(r.out.find("response 0 status=200 length=" + std::to_string(files.at("videos/big.bin").size())), std::string::npos)
      << r.out.substr(0, 2000);
  EXPECT_EQ(fact(r.out, "goaway"), "-");
  ProcessResult flood = run_h2_client({"attack", std::to_string(edge.port), "window-update-flood", "5000"});
  EXPECT_EQ(fact(flood.out, "goaway"), "11") << flood.out;
}

}  // namespace
}  // namespace relais::testing
