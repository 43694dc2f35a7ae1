-- Check 1 of the QC pass: objects the annotators forgot. Not implemented yet: the
-- rule says so with status "skipped" rather than pretending to pass.
return {
  id = "missing_labels",
  title = "Missing labels",
  description = "Images where annotators forgot objects: confident predictions no label covers, and images with far fewer labels than comparable ones.",
  params = {},
  run = function(ds, p, emit)
    return { status = "skipped", message = "not implemented in this version of the rule pack" }
  end,
}
