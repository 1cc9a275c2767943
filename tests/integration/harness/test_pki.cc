#include "tests/integration/harness/test_pki.h"

#include <gtest/gtest.h>

#include "tests/integration/harness/process.h"

namespace relais::testing {
namespace {

bool openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = run_process(argv, std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0;
}

}  // namespace

bool make_test_ca(const TempDir& dir) {
  return openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                  dir.file("ca.key"), "-out", dir.file("ca.pem"), "-days", "2", "-subj", "/CN=Relais Test CA"});
}

bool make_test_leaf(const TempDir& dir, const std::string& name, const std::vector<std::string>& dns_names,
                    const std::string& days) {
  std::string san = "subjectAltName=";
  for (std::size_t i = 0; i < dns_names.size(); ++i) san += (i ? ",DNS:" : "DNS:") + dns_names[i];
  dir.write(name + ".ext", san + "\n");
  return openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                  dir.file(name + ".key"), "-out", dir.file(name + ".csr"), "-subj", "/CN=" + dns_names.at(0)}) &&
         openssl({"x509", "-req", "-in", dir.file(name + ".csr"), "-CA", dir.file("ca.pem"), "-CAkey", dir.file("ca.key"),
                  "-CAcreateserial", "-days", days, "-out", dir.file(name + ".pem"), "-extfile", dir.file(name + ".ext")});
}

}  // namespace relais::testing
