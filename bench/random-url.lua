-- wrk script: every request a URL nobody asked for before (/flood/<random>), the
-- random-URL flood a cache must not turn into an origin flood of its own.
--   wrk -s bench/random-url.lua http://127.0.0.1:PORT/
function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  return wrk.format("GET", string.format("/flood/%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff)))
end
