-- GET /api/status for people [base, base + people) in turn: their devices polling.
-- Arguments: base people.
local base, people = 0, 1
local index = 0

function init(args)
  base, people = tonumber(args[1]), tonumber(args[2])
end

function request()
  local person = base + index % people
  index = index + 1
  return wrk.format("GET", "/api/status", { ["x-fairbook-person"] = tostring(person) })
end

function done(summary, latency, requests)
  io.write(string.format("RESULT status %.0f %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, summary.errors.status))
end
