-- The HTTP floor: GET /floor, built per request like the engine-backed phases' requests so
-- that the client does the same work for both.
local name = "floor"

function request()
  return wrk.format("GET", "/floor")
end

function done(summary, latency, requests)
  io.write(string.format("RESULT %s %.0f %d %d %d %d\n", name,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, summary.errors.status))
end
