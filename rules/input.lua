-- The loaders' own findings: label lines that do not parse, annotations that point
-- nowhere, images whose headers cannot be read, label files without an image.
-- The findings themselves come from the loaders; this rule decides the status and
-- summarises them so a user sees at a glance what kind of breakage the input has.
return {
  id = "input",
  title = "Input files",
  description = "Label lines, annotations and images that cannot be used as they are.",
  params = {
    -- share of images with an unreadable file above which the check fails even if
    -- the project lowered unreadable_image's severity
    max_unreadable_share = 0.01,
  },
  examples = {
    { dataset = "samples/yolo_forklift", expect = { status = "fail", kinds = { "invalid_label", "orphan_label" } } },
    { dataset = "samples/clean_yolo", expect = { status = "pass", findings = 0 } },
  },
  run = function(ds, p, emit)
    local issues = qc.input_issues()
    if issues.total == 0 then
      return { status = "pass", message = "every label line, annotation and image header was read", metrics = issues }
    end
    local parts = {}
    local kinds = {}
    for kind in pairs(issues.by_kind) do kinds[#kinds + 1] = kind end
    table.sort(kinds)
    for _, kind in ipairs(kinds) do
      parts[#parts + 1] = string.format("%d %s", issues.by_kind[kind], kind)
    end
    local unreadable = issues.by_kind.unreadable_image or 0
    local share = ds.num_images > 0 and unreadable / ds.num_images or 0
    local result = { message = table.concat(parts, ", ") .. "; each finding names its file and line", metrics = issues }
    if share > p.max_unreadable_share then
      result.status = "fail"
      result.message = string.format("%.1f%% of images unreadable (limit %.1f%%); ", share * 100,
        p.max_unreadable_share * 100) .. result.message
    end
    return result
  end,
}
