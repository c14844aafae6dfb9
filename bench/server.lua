-- bench/server.lua: a wrk script sending requests over a list of queries.
--
--   wrk ... -s bench/server.lua URL -- PATH QUERIES_FILE [zipf]
--
-- Each request is PATH followed by a line of QUERIES_FILE (one URL-encoded
-- query a line), e.g. PATH "/search?limit=10&q=".  By default each wrk
-- thread starts at its own place in the list and walks it in order, round
-- and round, so every query is asked about as often as any other.  With
-- "zipf" the queries are drawn at random, the k-th line with a probability
-- in 1/k (a few popular queries and a long tail, as a site's search box
-- sees them).
--
-- With THINK_MS=T in the environment, each connection waits before each
-- request for a random time, exponentially distributed with mean T ms (a
-- user who reads, then asks again: together the connections send
-- requests at random moments, as independent visitors do), so that wrk
-- offers a load of about CONNECTIONS / (T + latency) requests a second
-- instead of as many as the server can answer.  wrk's latencies count
-- from the sending of a request, without the wait.

local n_threads = 0

function setup(thread)
  thread:set("thread_id", n_threads)
  n_threads = n_threads + 1
end

local path, queries, mode, cdf, i = "/", {}, "cycle", {}, 0
local reqs = {} -- the requests, formatted once: wrk shares the CPUs

function init(args)
  path = args[1] or "/"
  for line in io.lines(args[2]) do
    if #line > 0 then queries[#queries + 1] = line end
  end
  assert(#queries > 0, "no queries in " .. tostring(args[2]))
  for k = 1, #queries do reqs[k] = wrk.format("GET", path .. queries[k]) end
  mode = args[3] or "cycle"
  local id = thread_id or 0
  if mode == "zipf" then
    local sum = 0
    for k = 1, #queries do
      sum = sum + 1 / k
      cdf[k] = sum
    end
    for k = 1, #queries do cdf[k] = cdf[k] / sum end
    math.randomseed(1234 + id)
  elseif mode == "cycle" then
    i = (id * 7919) % #queries -- threads apart in the list
    math.randomseed(4321 + id) -- the waits of THINK_MS
  end
end

local function pick()
  if mode ~= "zipf" then
    i = i % #queries + 1
    return i
  end
  local r, lo, hi = math.random(), 1, #queries
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < r then lo = mid + 1 else hi = mid end
  end
  return lo
end

function request()
  return reqs[pick()]
end

local think = tonumber(os.getenv("THINK_MS") or "")
if think and think > 0 then
  function delay()
    return math.floor(-think * math.log(1 - math.random()) + 0.5)
  end
end
