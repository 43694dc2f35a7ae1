-- Check 4 of the QC pass: exact and near-duplicate images, same-label pairs, static frames. Not implemented yet: the
-- rule says so with status "skipped" rather than pretending to pass.
return {
  id = "duplicates",
  title = "Duplicate images",
  description = "Exact and near-duplicate images, visually distinct images with the same labels, and runs of static video frames.",
  params = {},
  run = function(ds, p, emit)
    return { status = "skipped", message = "not implemented in this version of the rule pack" }
  end,
}
