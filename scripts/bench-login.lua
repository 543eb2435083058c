-- wrk script: successful logins at a steady pace. Each connection waits `pause` ms between
-- logins; scripts/bench picks connections and pause for about 20 logins per second.
local email = os.getenv("BENCH_EMAIL")
local password = os.getenv("BENCH_PASSWORD")
local csrf = os.getenv("BENCH_CSRF")
local origin = os.getenv("BENCH_ORIGIN")
local pause = tonumber(os.getenv("BENCH_PAUSE_MS") or "150")

local function encode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local body = "email=" .. encode(email) .. "&password=" .. encode(password) .. "&csrf_token=" .. csrf

request = function()
  return wrk.format("POST", "/anmelden", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "prima-csrf=" .. csrf,
    ["Origin"] = origin,
  }, body)
end

delay = function()
  return pause
end

response = function(status)
  if status ~= 303 then
    io.stderr:write("login answered " .. status .. "\n")
  end
end
