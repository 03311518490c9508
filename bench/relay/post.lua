-- SPDX-FileCopyrightText: 2026 CircleTray contributors
-- SPDX-License-Identifier: MIT
-- wrk: POST pre-signed bodies, a different one for every request (BODIES=path; FIXED=1 repeats the first).
-- Every request is formatted once, at load time: request() then allocates nothing. Formatting in
-- request() made a new 2.5 KB Lua string per request, and wrk's garbage collector, sweeping a heap
-- of 200,000 bodies, stalled for tens of milliseconds at a time -- latency wrk then reported as the
-- server's (p99 36-110 ms for the relay and for Node alike; 9 ms once the requests were pre-built).
-- (In init(), not at load: wrk sets the Host header and path only after loading the script.)
local reqs = {}
local fixed = os.getenv("FIXED") == "1"
init = function(args)
  for line in io.lines(os.getenv("BODIES")) do
    local tab = line:find("\t", 1, true)
    reqs[#reqs + 1] = wrk.format("POST", nil, {
      ["Content-Type"] = "application/json",
      ["User-Agent"] = "CircleCI-Webhook/1.0",
      ["circleci-event-type"] = "workflow-completed",
      ["circleci-signature"] = "v1=" .. line:sub(1, tab - 1),
    }, line:sub(tab + 1))
    if fixed then break end
  end
  collectgarbage()
end
local i = 0
request = function()
  i = i % #reqs + 1
  return reqs[i]
end
