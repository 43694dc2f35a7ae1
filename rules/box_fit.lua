-- Check 3 of the QC pass: boxes that do not enclose their object. Not implemented yet: the
-- rule says so with status "skipped" rather than pretending to pass.
return {
  id = "box_fit",
  title = "Loose / tight boxes",
  description = "Boxes out of bounds, degenerate, duplicated, too small at the training size, or looser/tighter than the object.",
  params = {},
  run = function(ds, p, emit)
    return { status = "skipped", message = "not implemented in this version of the rule pack" }
  end,
}
