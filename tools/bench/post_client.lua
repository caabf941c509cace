-- wrk script: POST /api/v1/clients with a phone no other request of the run uses.
-- Each wrk thread numbers its requests; the phone is 7, a digit for the thread (5..9), the
-- run's 3-digit prefix (BENCH_PHONE_RUN, so that runs against one database do not collide)
-- and a 6-digit counter. The token comes from BENCH_TOKEN.
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  digit = 5 + (tid % 5)
  run = tonumber(os.getenv("BENCH_PHONE_RUN") or "0")
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local phone = string.format("7%d%03d%06d", digit, run, counter % 1000000)
  return wrk.format(nil, "/api/v1/clients", nil, '{"phone":"' .. phone .. '"}')
end
