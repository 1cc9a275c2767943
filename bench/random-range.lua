-- wrk script: each request asks for one random, aligned 1 MiB range of the
-- target file (a 64 MiB file by default), the way a video player seeks.
-- The seed is fixed, so every server sees the same sequence of ranges.
--   wrk -s bench/random-range.lua http://127.0.0.1:PORT/f64m.bin
-- Environment: RELAIS_BENCH_FILE_SIZE (bytes, default 67108864),
-- RELAIS_BENCH_RANGE_SIZE (bytes, default 1048576).
local file_size = tonumber(os.getenv("RELAIS_BENCH_FILE_SIZE") or "67108864")
local range_size = tonumber(os.getenv("RELAIS_BENCH_RANGE_SIZE") or "1048576")
local ranges = math.floor(file_size / range_size)

function init(args)
  math.randomseed(20260316)
end

function request()
  local first = math.random(0, ranges - 1) * range_size
  return wrk.format("GET", nil, { ["Range"] = string.format("bytes=%d-%d", first, first + range_size - 1) })
end
