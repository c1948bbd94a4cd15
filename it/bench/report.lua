-- wrk hook: one machine-readable line with exact totals, so run.sh need not parse wrk's rounded text.
-- Fields: requests bytes duration_us p50_us p99_us connect_errors read_errors write_errors status_errors timeouts
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKRESULT %d %d %d %d %d %d %d %d %d %d\n",
    summary.requests, summary.bytes, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
