-- wrk script: SCIM user look-ups by userName with a bearer token (see load.sh).
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("ACCESS_TOKEN")

done = function(summary, latency, requests)
  io.write(string.format("non-2xx responses: %d, socket errors: %d\n",
    summary.errors.status, summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
