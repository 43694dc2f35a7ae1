-- Check 6 of the QC pass: the same scene, camera or day in several splits. Not implemented yet: the
-- rule says so with status "skipped" rather than pretending to pass.
return {
  id = "split_leakage",
  title = "Split leakage",
  description = "Group keys (scene, camera|day, EXIF, frame runs) and duplicates spanning splits; class and box-size shift between splits.",
  params = { min_run = 3 },
  run = function(ds, p, emit)
    return { status = "skipped", message = "not implemented in this version of the rule pack" }
  end,
}
