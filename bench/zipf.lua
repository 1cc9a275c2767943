-- wrk script: each request picks one file of a catalog of N files with a Zipf(s)
-- distribution over popularity ranks (rank 1 the most requested): /z/00000.jpg is
-- rank 1, /z/00001.jpg rank 2, ... (bench/lib/corpus.sh writes them, 8..64 KiB each,
-- size independent of rank). The seed is fixed, so every server sees the same sequence.
--   wrk -s bench/zipf.lua http://127.0.0.1:PORT/
-- Environment: RELAIS_BENCH_ZIPF_FILES (N, default 20000), RELAIS_BENCH_ZIPF_S (default 0.9),
-- RELAIS_BENCH_ZIPF_SEED (default 20260316).
local n = tonumber(os.getenv("RELAIS_BENCH_ZIPF_FILES") or "20000")
local s = tonumber(os.getenv("RELAIS_BENCH_ZIPF_S") or "0.9")
local seed = tonumber(os.getenv("RELAIS_BENCH_ZIPF_SEED") or "20260316")
local cdf = {}

function init(args)
  local total = 0
  for k = 1, n do
    total = total + 1 / (k ^ s)
    cdf[k] = total
  end
  for k = 1, n do
    cdf[k] = cdf[k] / total
  end
  math.randomseed(seed)
end

-- Smallest k with cdf[k] >= u: at most log2(n) + 1 steps.
local function rank(u)
  local lo, hi = 1, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo
end

function request()
  return wrk.format("GET", string.format("/z/%05d.jpg", rank(math.random()) - 1))
end
