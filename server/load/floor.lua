-- The HTTP floor: GET or POST /floor, a handler that does nothing, sent requests of the same
-- shape as the engine-backed phase it stands beside (the same method, headers and body
-- size), built per request like theirs, so that the client and the HTTP stack do the same
-- work for both and the difference is the endpoint's own. Argument: join, status or reserve.
-- A global, so that done(), which runs in wrk's main Lua state, can read it from a thread.
shape = "status"
local index = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end
local fake_pass = string.rep("0123456789abcdef", 8):sub(1, 122)

function init(args)
  shape = args[1] or shape
end

function request()
  index = index + 1
  local person = tostring(index)
  if shape == "join" then
    return wrk.format("POST", "/floor", { ["x-fairbook-person"] = person })
  elseif shape == "reserve" then
    return wrk.format("POST", "/floor", {
      ["x-fairbook-person"] = person,
      ["x-fairbook-pass"] = fake_pass,
      ["content-type"] = "application/json",
    }, string.format('{"choices":[%d,%d,%d]}', index % 1568000, (index * 7) % 1568000,
      (index * 13) % 1568000))
  end
  return wrk.format("GET", "/floor", { ["x-fairbook-person"] = person })
end

function done(summary, latency, requests)
  io.write(string.format("RESULT floor-%s %.0f %d %d %d %d\n", threads[1]:get("shape"),
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, summary.errors.status))
end
