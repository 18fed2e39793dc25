-- wrk script for bench/soak.sh: a mix of Token API, introspection and SCIM
-- requests on every connection. Per thread, ten requests in turn: two token
-- issues, an introspection, a SCIM create, a list page, a userName filter, a
-- PATCH, a GET by id, a DELETE and a compound filter. PATCH and GET use the newest
-- user this thread created; DELETE removes the oldest once more than 64 wait, so
-- no request touches a user another one is deleting. The credentials, the access
-- token and a run label come from the environment (see soak.sh).
local client_id = os.getenv("CLIENT_ID")
local client_secret = os.getenv("CLIENT_SECRET")
local token = os.getenv("ACCESS_TOKEN")
local run = os.getenv("RUN") or "0"

local counter = 0
local created = {}
local scim_headers = {
  ["Authorization"] = "Bearer " .. token,
  ["Content-Type"] = "application/scim+json",
}
local form_headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local token_body = "grant_type=client_credentials&client_id=" .. client_id
  .. "&client_secret=" .. client_secret
local introspect_body = "client_id=" .. client_id .. "&client_secret=" .. client_secret
  .. "&token=" .. token

-- Each thread gets its own number, so the userNames of threads never collide.
local next_id = 0
function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

local function user_name(n)
  return string.format("soak-%s-%d-%d@demo.iamkit.test", run, thread_id or 0, n)
end

local function new_user(n)
  local name = user_name(n)
  return '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"'
    .. name .. '","name":{"givenName":"Soak","familyName":"Test"},'
    .. '"emails":[{"value":"' .. name .. '","type":"work","primary":true}],"active":true}'
end

local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

request = function()
  counter = counter + 1
  local step = counter % 10
  local newest = created[#created]
  if step == 0 or step == 1 or ((step == 6 or step == 7 or step == 8) and newest == nil) then
    return wrk.format("POST", "/v2/token", form_headers, token_body)
  elseif step == 2 then
    return wrk.format("POST", "/v2/introspect", form_headers, introspect_body)
  elseif step == 3 then
    return wrk.format("POST", "/scim/v2/Users", scim_headers, new_user(counter))
  elseif step == 4 then
    return wrk.format("GET", "/scim/v2/Users?startIndex=1&count=10", scim_headers)
  elseif step == 5 then
    local filter = encode('userName eq "' .. user_name(math.max(counter - 2, 3)) .. '"')
    return wrk.format("GET", "/scim/v2/Users?filter=" .. filter, scim_headers)
  elseif step == 6 then
    local patch = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],'
      .. '"Operations":[{"op":"replace","path":"title","value":"t' .. counter .. '"}]}'
    return wrk.format("PATCH", "/scim/v2/Users/" .. newest, scim_headers, patch)
  elseif step == 7 then
    return wrk.format("GET", "/scim/v2/Users/" .. newest, scim_headers)
  elseif step == 8 and #created > 64 then
    local oldest = table.remove(created, 1)
    return wrk.format("DELETE", "/scim/v2/Users/" .. oldest, scim_headers)
  else
    local filter = encode('title pr and emails[type eq "work" and value co "soak-"]')
    return wrk.format("GET", "/scim/v2/Users?count=5&filter=" .. filter, scim_headers)
  end
end

response = function(status, headers, body)
  if status == 201 then
    local id = body:match('"id":"(US%x+)"')
    if id then table.insert(created, id) end
  end
end

done = function(summary, latency, requests)
  io.write(string.format(
    "SOAK requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
