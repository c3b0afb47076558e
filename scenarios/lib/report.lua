-- Shared helpers for scenarios: aligned tables, statistics and size parameters.
-- Usage: local report = require("report")
local report = {}

-- report.bytes("256K") -> 262144: a size parameter (digits and K, M or G).
function report.bytes(s)
  local n, unit = tostring(s):match("^(%d+)([KMG]?)$")
  assert(n, "a size such as 256K")
  return math.tointeger(n) * ({ [""] = 1, K = 1024, M = 1024 * 1024, G = 1024 * 1024 * 1024 })[unit]
end

-- report.table{ header = {"task", "mean"}, rows = {{"a", 1.5}, ...} } -> string
-- Columns are padded to their widest cell; numbers are right-aligned.
function report.table(t)
  local widths, lines = {}, {}
  local function cell(v)
    if math.type(v) == "float" then return string.format("%.3f", v) end
    return tostring(v)
  end
  local all = { t.header }
  for _, r in ipairs(t.rows) do all[#all + 1] = r end
  for _, r in ipairs(all) do
    for i, v in ipairs(r) do
      widths[i] = math.max(widths[i] or 0, #cell(v))
    end
  end
  for n, r in ipairs(all) do
    local parts = {}
    for i, v in ipairs(r) do
      local s = cell(v)
      if type(v) == "number" then
        parts[i] = string.rep(" ", widths[i] - #s) .. s
      else
        parts[i] = s .. string.rep(" ", widths[i] - #s)
      end
    end
    lines[#lines + 1] = table.concat(parts, "  ")
    if n == 1 and t.header then
      local rule = {}
      for i = 1, #widths do rule[i] = string.rep("-", widths[i]) end
      lines[#lines + 1] = table.concat(rule, "  ")
    end
  end
  return table.concat(lines, "\n")
end

-- Mean, minimum, maximum and sample standard deviation of a list.
function report.stats(xs)
  local n, sum, min, max = #xs, 0, math.huge, -math.huge
  for _, x in ipairs(xs) do
    sum = sum + x
    if x < min then min = x end
    if x > max then max = x end
  end
  local mean = n > 0 and sum / n or 0
  local ss = 0
  for _, x in ipairs(xs) do ss = ss + (x - mean) ^ 2 end
  return { n = n, mean = mean, min = n > 0 and min or 0, max = n > 0 and max or 0,
           sd = n > 1 and math.sqrt(ss / (n - 1)) or 0 }
end

-- The per-task table of a composed system's results (sys:results()):
-- prints it and returns the figures keyed by task name, in microseconds
-- ({jobs, missed, best_us, mean_us, worst_us, ...}), for the scenario's report.
function report.tasks(results, title)
  local rows, out = {}, {}
  for _, t in ipairs(results.tasks) do
    local missed = t.missed + t.late_unfinished
    rows[#rows + 1] = { t.name, t.core, t.priority, t.period_ns / 1e3, t.jobs, missed,
                        (t.resp_min_ns or 0) / 1e3, (t.resp_mean_ns or 0) / 1e3, (t.resp_max_ns or 0) / 1e3 }
    out[t.name] = { jobs = t.jobs, missed = missed, best_us = (t.resp_min_ns or 0) / 1e3,
                    mean_us = (t.resp_mean_ns or 0) / 1e3, worst_us = (t.resp_max_ns or 0) / 1e3,
                    deadline_us = t.deadline_ns / 1e3 }
  end
  if title then print(title) end
  print(report.table{ header = { "task", "core", "prio", "period_us", "jobs", "missed", "best_us", "mean_us", "worst_us" },
                      rows = rows })
  return out
end

return report
