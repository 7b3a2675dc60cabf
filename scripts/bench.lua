-- wrk script for scripts/bench.sh. Configured through the environment:
--   BENCH_TOKEN   bearer token (sent as Authorization on every request)
--   BENCH_METHOD  GET (default), POST, PATCH
--   BENCH_BODY    request body; every "{n}" becomes a number unique across threads and requests
-- Prints one machine-readable line when done:
--   RESULT <requests/s> <p50 us> <p99 us> <requests> <non-2xx/3xx> <socket errors>

local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_no", thread_count)
end

-- An unset or empty variable is nil.
local function env(name)
  local v = os.getenv(name)
  if v == "" then return nil end
  return v
end

function init(args)
  n = 0
  method = env("BENCH_METHOD") or "GET"
  body = env("BENCH_BODY")
  run_tag = tostring(os.time())
  headers = {}
  headers["Authorization"] = "Bearer " .. (env("BENCH_TOKEN") or "scimock-token")
  if body then
    headers["Content-Type"] = "application/scim+json"
  end
end

function request()
  if body then
    n = n + 1
    local unique = run_tag .. "-" .. tostring(thread_no or 0) .. "-" .. tostring(n)
    return wrk.format(method, nil, headers, (body:gsub("{n}", unique)))
  end
  return wrk.format(method, nil, headers, nil)
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT %.1f %d %d %d %d %d\n",
    summary.requests / secs, latency:percentile(50), latency:percentile(99),
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
