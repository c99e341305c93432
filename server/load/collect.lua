-- Not measured: asks once for the status of each person in [base, base + people) and writes
-- the passes of those admitted to the file named by FAIRBOOK_PASSES_FILE, for the reserve
-- phase; stops once every person has answered. Arguments: base people. Run with one thread.
local base, people = 0, 1
local sent, answered = 0, 0
-- A global, so that done() can read it from the thread with thread:get.
passes = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  base, people = tonumber(args[1]), tonumber(args[2])
end

function request()
  local person = base + sent % people
  sent = sent + 1
  return wrk.format("GET", "/api/status", { ["x-fairbook-person"] = tostring(person) })
end

function response(status, headers, body)
  answered = answered + 1
  if answered <= people and status == 200 then
    local pass = body:match('"pass":"(%x+)"')
    local person = body:match('"person":(%d+)')
    if pass and person then
      passes[#passes + 1] = person .. " " .. pass
    end
  end
  if answered >= people then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local out = io.open(os.getenv("FAIRBOOK_PASSES_FILE"), "w")
  for _, thread in ipairs(threads) do
    for _, line in ipairs(thread:get("passes")) do
      out:write(line, "\n")
    end
  end
  out:close()
end
