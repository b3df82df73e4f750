-- For wrk: cycle through a file of request paths, one per line, so that each kind of page is
-- measured over many distinct URLs rather than one URL a cache could answer.
--
--   wrk -s bench/paths.lua http://127.0.0.1:PORT -- PATHS_FILE

local thread_count = 0

function setup(thread)
  thread:set("thread_number", thread_count)
  thread_count = thread_count + 1
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
  -- Each thread starts at its own place in the list, so that the threads do not ask for the
  -- same URL at the same moment.
  position = ((thread_number or 0) * 7919) % #paths
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end
