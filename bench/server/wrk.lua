-- wrk script for bench/run_server.py: shapes the request and reports the run as one JSON line.
--
-- Arguments after `--`: none or `get` (plain GET), or `post <bytes>` (POST that many bytes of
-- application/octet-stream). The `done` hook prints requests, duration, bytes, the error
-- counters and latency percentiles as JSON on the last line of wrk's output.

function init(args)
   local mode = args[1] or "get"
   if mode == "post" then
      local size = tonumber(args[2] or "4096")
      -- a repeating 64-byte pattern, so the echo can be checked by eye in a capture
      local unit = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
      local body = string.rep(unit, math.floor(size / #unit)) .. unit:sub(1, size % #unit)
      wrk.method = "POST"
      wrk.body = body
      wrk.headers["Content-Type"] = "application/octet-stream"
   elseif mode ~= "get" then
      error("unknown mode: " .. mode)
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, '
         .. '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, '
         .. '"p50_us": %d, "p99_us": %d}\n',
      summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
      e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
