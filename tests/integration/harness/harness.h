// The integration-test harness: temp_dir.h (TempDir, read_file) and
// process.h (run_process, Subprocess), namespace relais::testing.
#pragma once

#include "tests/integration/harness/process.h"
#include "tests/integration/harness/temp_dir.h"
