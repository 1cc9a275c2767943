-- wrk script: requests cycle over /short/k1.html .. /short/k20.html, the keys
-- bench/pull caches with max-age=1 before it kills the origin.
local n = 0
function request()
  n = n % 20 + 1
  return wrk.format("GET", string.format("/short/k%d.html", n))
end
