-- For wrk: walk a file of request paths, one per line, so that each kind of page is measured
-- over many distinct URLs rather than one URL a cache could answer.
--
--   wrk -s bench/paths.lua http://127.0.0.1:PORT -- PATHS_FILE THREADS START
--
-- Thread i of THREADS asks for paths START+i, START+i+THREADS, ... so that no two requests of a
-- run share a path until the list runs out. Then it starts again from the top, and counts every
-- request that repeats a path: a cold run, whose every address must be new, reports them. At the
-- end it prints how many paths were sent and the furthest reached, where the next run starts.

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  file:close()
  assert(#paths > 0, "no paths in " .. args[1])
  step = tonumber(args[2] or "1")
  start = tonumber(args[3] or "0")
  index = start + (thread_number or 0)
  sent, repeated, furthest = 0, 0, 0
end

function request()
  if index >= #paths then
    repeated = repeated + 1
  end
  furthest = math.max(furthest, math.min(index + 1, #paths))
  local path = paths[(index % #paths) + 1]
  index = index + step
  sent = sent + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local total_sent, total_repeated, reached = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_sent = total_sent + (thread:get("sent") or 0)
    total_repeated = total_repeated + (thread:get("repeated") or 0)
    reached = math.max(reached, thread:get("furthest") or 0)
  end
  io.write(string.format("Paths: %d sent, furthest %d, %d repeated\n",
    total_sent, reached, total_repeated))
end
