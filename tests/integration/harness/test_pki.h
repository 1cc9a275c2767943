// A throw-away PKI for HTTPS tests, made at test time with the openssl CLI:
// a CA (dir/ca.pem, dir/ca.key) and P-256 leaves it signs.
#pragma once

#include <string>
#include <vector>

#include "tests/integration/harness/temp_dir.h"

namespace relais::testing {

// dir/ca.pem and dir/ca.key, valid two days.
bool make_test_ca(const TempDir& dir);
// dir/NAME.pem and dir/NAME.key: a leaf with CN dns_names[0] and every name
// as a subjectAltName ("*.ent.test" included), signed by dir/ca, valid
// `days` (negative: already expired).
bool make_test_leaf(const TempDir& dir, const std::string& name, const std::vector<std::string>& dns_names,
                    const std::string& days);

}  // namespace relais::testing
