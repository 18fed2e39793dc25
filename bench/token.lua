-- wrk script: client-credentials token requests, every secret checked.
-- The client id and secret come from the environment (see load.sh).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=client_credentials&client_id=" .. os.getenv("CLIENT_ID")
  .. "&client_secret=" .. os.getenv("CLIENT_SECRET")

done = function(summary, latency, requests)
  io.write(string.format("non-2xx responses: %d, socket errors: %d\n",
    summary.errors.status, summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
