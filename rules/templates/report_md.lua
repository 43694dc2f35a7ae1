-- The one-page QC report (report.md), in the format of the QC guide: dataset, audit
-- date, totals, background share, per-class instances, checks, ready to train, plus
-- provenance. A project can replace this file (--rules DIR/templates/report_md.lua).
-- `r` is the run: r.dataset, r.date, r.summary, r.checks, r.ready, r.tool, r.top_images.
local function thousands(n)
  local s = tostring(math.floor(n))
  local out = s:reverse():gsub("(%d%d%d)", "%1,"):reverse()
  return (out:gsub("^,", ""))
end

local function check_line(c)
  local text = c.message ~= "" and c.message or c.status
  if c.exception then text = text .. " — exception: " .. c.exception end
  return string.format("- **%s**: %s — %s", c.title, c.status, text)
end

return function(r)
  local L = {}
  local function add(s) L[#L + 1] = s end
  local s = r.summary
  add("# QC report: " .. r.dataset.name)
  add("")
  add("Dataset: " .. r.dataset.name .. " (" .. r.dataset.format .. ", " .. r.dataset.root .. ")")
  add("Audit date: " .. r.date)
  add(string.format("Total images: %s | Total labels: %s", thousands(s.images), thousands(s.labels)))
  local share = s.images > 0 and s.background_images / s.images * 100 or 0
  add(string.format("Background images: %s (%.1f%%)", thousands(s.background_images), share))
  add("")
  add("Per-class instances:")
  local classes = {}
  for _, c in ipairs(s.per_class) do classes[#classes + 1] = c end
  local shown, hidden = classes, 0
  if #classes > 15 then
    table.sort(classes, function(a, b) return a.instances < b.instances end)
    shown = {}
    for i = 1, 10 do shown[i] = classes[i] end
    hidden = #classes - 10
  end
  for _, c in ipairs(shown) do
    add(string.format("- %s %s", c.name, thousands(c.instances)))
  end
  if hidden > 0 then add(string.format("- … %d more classes (the smallest ten are listed)", hidden)) end
  add("")
  add("Checks:")
  for _, c in ipairs(r.checks) do add(check_line(c)) end
  add("")
  add("Ready to train: " .. (r.ready and "yes" or "no"))
  add("")
  add(string.format("Provenance: qcpass %s · rules %s · config %s · dataset %s",
    r.tool.version, r.tool.rules_sha256:sub(1, 12), r.tool.config_sha256 and r.tool.config_sha256:sub(1, 12) or "none",
    r.dataset.fingerprint:sub(1, 12)))
  if r.reviewer then add("Reviewer: " .. r.reviewer) end
  return table.concat(L, "\n") .. "\n"
end
