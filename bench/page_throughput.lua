-- wrk script of bench/page_throughput.py: one machine-readable line with the figures it prints.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("THROUGHPUT %d %d %d %d %.1f %.1f %.1f\n",
    summary.requests, summary.duration,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency.max / 1000))
end
