-- POST /api/reserve with the passes the status phase collected: person p's 1 to 3 devices
-- each send the same request (same pass, same three ranked choices), so all but the first
-- are retries of a request that already booked (answered with the same booking). Arguments:
-- passes_file slots.
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

-- A retry of a request that booked is answered 200 with the same booking, so the count of
-- 200s is not the count of bookings acknowledged: the distinct places in the 200 answers are.
-- Reading each body costs the client some speed; the invariant check needs it.
booked = {}
booked_count = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status == 200 then
    local seq = body:match('"seq":(%d+)')
    if seq and not booked[seq] then
      booked[seq] = true
      booked_count = booked_count + 1
    end
  end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT reserve %.0f %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, summary.errors.status))
  local distinct = 0
  for _, thread in ipairs(threads) do
    distinct = distinct + thread:get("booked_count")
  end
  io.write(string.format("BOOKED reserve %d\n", distinct))
end
