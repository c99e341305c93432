-- POST /api/reserve with the passes the status phase collected: person p's 1 to 3 devices
-- each send the same request (same pass, same three ranked choices), so all but the first
-- are retries of a request that already booked. Arguments: passes_file slots.
local entries, slots = {}, 1
local index, entry, devices_left = 0, nil, 0
function init(args)
  for line in io.lines(args[1]) do
    local person, pass = line:match("(%d+) (%x+)")
    entries[#entries + 1] = { person = tonumber(person), pass = pass }
  end
  slots = tonumber(args[2])
end

local function devices(p)
  return 1 + (p * 2654435761) % 4294967296 % 3
end

function request()
  if devices_left == 0 then
    entry = entries[index % #entries + 1]
    index = index + 1
    devices_left = devices(entry.person)
    local p = entry.person
    entry.body = string.format('{"choices":[%d,%d,%d]}', (p * 2654435761) % slots,
      (p * 40503 + 7) % slots, (p * 97 + 13) % slots)
  end
  devices_left = devices_left - 1
  return wrk.format("POST", "/api/reserve", {
    ["x-fairbook-person"] = tostring(entry.person),
    ["x-fairbook-pass"] = entry.pass,
    ["content-type"] = "application/json",
  }, entry.body)
end

-- No response() callback: handing every body to Lua would slow the client, and the count of
-- non-2xx answers wrk keeps is all the invariant check needs (every answer here is 200 or 409).
function done(summary, latency, requests)
  io.write(string.format("RESULT reserve %.0f %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, summary.errors.status))
  local e = summary.errors
  io.write(string.format("BOOKED reserve %d\n",
    summary.requests - e.status - e.connect - e.read - e.write - e.timeout))
end
