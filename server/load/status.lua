-- GET /api/status for people [base, base + people) in turn (devices polling), and the
-- passes of those admitted, written to the file named by the third argument for the reserve
-- phase. Arguments: base people passes_file.
local base, people, passes_file = 0, 1, nil
local index = 0
-- Globals, so that done() can read them from each thread with thread:get.
seen, passes = {}, {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  base, people = tonumber(args[1]), tonumber(args[2])
end

function request()
  local person = base + index % people
  index = index + 1
  return wrk.format("GET", "/api/status", { ["x-fairbook-person"] = tostring(person) })
end

function response(status, headers, body)
  if status ~= 200 then return end
  local pass = body:match('"pass":"(%x+)"')
  if pass then
    local person = body:match('"person":(%d+)')
    if person and not seen[person] then
      seen[person] = true
      passes[#passes + 1] = person .. " " .. pass
    end
  end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT status %.0f %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, summary.errors.status))
  local file = os.getenv("FAIRBOOK_PASSES_FILE")
  if file then
    local out = io.open(file, "w")
    for _, thread in ipairs(threads) do
      for _, line in ipairs(thread:get("passes")) do
        out:write(line, "\n")
      end
    end
    out:close()
  end
end
