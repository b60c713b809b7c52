-- wrk script of `python -m bench.loadtest`: prints one machine-readable line at the end.
-- Only done() is defined, so wrk runs at full speed (no Lua call per request). Its counters:
-- errors.status is every answer outside 2xx/3xx; connect/read/write/timeout are socket errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LOADTEST {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
