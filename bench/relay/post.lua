-- SPDX-FileCopyrightText: 2026 CircleTray contributors
-- SPDX-License-Identifier: MIT
-- wrk: POST pre-signed bodies, a different one for every request (BODIES=path; FIXED=1 repeats the first).
local bodies, sigs = {}, {}
local fixed = os.getenv("FIXED") == "1"
for line in io.lines(os.getenv("BODIES")) do
  local tab = line:find("\t", 1, true)
  sigs[#sigs + 1] = line:sub(1, tab - 1)
  bodies[#bodies + 1] = line:sub(tab + 1)
end
local i = 0
request = function()
  if not fixed then i = i % #bodies + 1 else i = 1 end
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "CircleCI-Webhook/1.0",
    ["circleci-event-type"] = "workflow-completed",
    ["circleci-signature"] = "v1=" .. sigs[i],
  }, bodies[i])
end
