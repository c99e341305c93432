-- POST /api/join for people [base, base + people), each from 1 to 3 devices: person p sends
-- 1 + (hash(p) mod 3) identical joins in a row (a second phone, a retry), which the engine
-- must answer with one place. Arguments: base people. Run with one wrk thread.
local base, people = 0, 1
local index, person, devices_left = 0, nil, 0

function init(args)
  base, people = tonumber(args[1]), tonumber(args[2])
end

local function devices(p)
  return 1 + (p * 2654435761) % 4294967296 % 3
end

function request()
  if devices_left == 0 then
    person = base + index % people
    index = index + 1
    devices_left = devices(person)
  end
  devices_left = devices_left - 1
  return wrk.format("POST", "/api/join", { ["x-fairbook-person"] = tostring(person) })
end

function done(summary, latency, requests)
  io.write(string.format("RESULT join %.0f %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, summary.errors.status))
end
