-- The one-page QC report (report.md), in the format of the QC guide: dataset, audit
-- date, totals, background share, per-class instances, checks, ready to train, plus
-- provenance. A project can replace this file (--rules DIR/templates/report_md.lua).
-- `r` is the run: r.dataset, r.date, r.summary, r.checks (each {id, title, status,
-- message, exception, findings, kinds = {[kind] = count}, metrics}), r.ready, r.tool, r.top_images,
-- and r.audit when `check --audit SHEET` folded in a reviewed sample: sampled, reviewed,
-- verdicts[verdict], box_corrections, checks = { {check, flagged_reviewed, confirmed, precision} }.
local function thousands(n)
  local s = tostring(math.floor(n))
  local out = s:reverse():gsub("(%d%d%d)", "%1,"):reverse()
  return (out:gsub("^,", ""))
end

-- "Visual audit: 120 images sampled, 4 mislabeled (3.3%)", then the other problems found
-- and, per check, the share of its flagged images the reviewer confirmed.
local function audit_lines(a)
  if not a then
    return { "Visual audit: not recorded (`qcpass sample`, review gallery.html, then `qcpass check --audit audit.csv`)" }
  end
  local mislabeled = a.verdicts.mislabeled or 0
  local line = string.format("Visual audit: %d images sampled, %d mislabeled (%.1f%%)", a.sampled, mislabeled,
    a.sampled > 0 and mislabeled / a.sampled * 100 or 0)
  local others = {}
  for _, v in ipairs({ "missing_labels", "bad_box", "duplicate", "other" }) do
    local n = a.verdicts[v] or 0
    if n > 0 then others[#others + 1] = string.format("%d %s", n, (v:gsub("_", " "))) end
  end
  if #others > 0 then line = line .. ", " .. table.concat(others, ", ") end
  if a.reviewed < a.sampled then line = line .. string.format("; %d not reviewed yet", a.sampled - a.reviewed) end
  local out = { line .. "." }
  if #a.checks > 0 then
    local parts = {}
    for _, c in ipairs(a.checks) do
      parts[#parts + 1] = string.format("%s %d/%d", c.check, c.confirmed, c.flagged_reviewed)
    end
    out[#out + 1] = "Audit-confirmed flags per check: " .. table.concat(parts, ", ")
  end
  return out
end

local function plural(n, one, many) return string.format("%d %s", n, n == 1 and one or (many or one .. "s")) end

-- The guide's one-line verdicts on duplicates, leakage, class balance and exceptions.
local function summary_lines(r)
  local by_id = {}
  for _, c in ipairs(r.checks) do by_id[c.id] = c end
  local out = {}
  local d = by_id.duplicates
  if d and d.status ~= "skipped" and d.status ~= "error" then
    local k, parts = d.kinds, {}
    if (k.exact_duplicate or 0) > 0 then parts[#parts + 1] = plural(k.exact_duplicate, "exact copy", "exact copies") end
    if (k.near_duplicate or 0) > 0 then parts[#parts + 1] = plural(k.near_duplicate, "near copy", "near copies") end
    if (k.same_labels or 0) > 0 then parts[#parts + 1] = plural(k.same_labels, "image", "images") .. " with another's labels" end
    if (k.static_frames or 0) > 0 then
      local frames = d.metrics and d.metrics.static_images or 0
      parts[#parts + 1] = plural(k.static_frames, "run") .. " of static frames (" .. frames .. " images)"
    end
    local removed = r.changes and string.format("Duplicates removed: %d (qcpass fix); ", r.changes.duplicates_removed) or ""
    out[#out + 1] = removed .. (r.changes and "remaining duplicates: " or "Duplicates: ") .. (#parts == 0 and "none found"
      or (table.concat(parts, ", ") .. (r.changes and " found" or " found, none removed yet")))
  else
    out[#out + 1] = "Duplicates: not checked"
  end
  if r.changes then
    local c = r.changes
    out[#out + 1] = string.format("Fixes applied (.qcpass/changes.json): %d images dropped, %d labels dropped, %d boxes clipped, %d classes changed, %d label files not carried",
      c.images_dropped, c.labels_dropped, c.boxes_clipped, c.classes_changed, c.label_files_dropped)
  end
  local l = by_id.split_leakage
  if l and l.status ~= "skipped" and l.status ~= "error" then
    local k = l.kinds
    local groups, copies = k.group_leak or 0, k.cross_split_duplicate or 0
    local text
    if groups + copies == 0 then
      text = string.format("no group (%d groups) or picture spans two splits", l.metrics and l.metrics.groups or 0)
    else
      local parts = {}
      if groups > 0 then parts[#parts + 1] = plural(groups, "group") .. " in several splits" end
      if copies > 0 then parts[#parts + 1] = plural(copies, "picture") .. " duplicated across splits" end
      text = table.concat(parts, ", ")
    end
    if (k.distribution_shift or 0) > 0 then text = text .. "; " .. plural(k.distribution_shift, "distribution shift") end
    out[#out + 1] = "Leakage check: " .. text .. (l.exception and (" — exception: " .. l.exception) or "")
  else
    out[#out + 1] = "Leakage check: not run"
  end
  local b = by_id.class_balance
  if b and b.status ~= "skipped" then
    out[#out + 1] = "Class imbalance: " .. b.status .. " — " .. (b.message:match("^[^;]*") or b.message)
      .. (b.exception and ("; exception: " .. b.exception) or "")
  end
  local ex = {}
  for _, c in ipairs(r.checks) do
    if c.exception then ex[#ex + 1] = c.id .. " (" .. c.exception .. ")" end
  end
  out[#out + 1] = "Exceptions: " .. (#ex == 0 and "none" or table.concat(ex, "; "))
  return out
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
  for _, line in ipairs(audit_lines(r.audit)) do add(line) end
  for _, line in ipairs(summary_lines(r)) do add(line) end
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
