-- wrk script: HTTP/1.1 pipelining. Each write carries DEPTH requests for the URL's
-- path (16 by default); wrk counts each response.
--   wrk -s bench/pipeline.lua http://127.0.0.1:PORT/f10k.bin
-- Environment: RELAIS_BENCH_PIPELINE (depth, default 16).
local depth = tonumber(os.getenv("RELAIS_BENCH_PIPELINE") or "16")
local batch

function init(args)
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format(nil, nil)
  end
  batch = table.concat(r)
end

function request()
  return batch
end
