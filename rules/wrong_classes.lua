-- Check 2 of the QC pass: class ids that are not in the dataset's names, swapped
-- classes and mislabelled instances. This version of the pack checks class ids only;
-- the prediction- and geometry-based parts (wrong_class, class_swap,
-- geometry_outlier) are not implemented yet, so a dataset without unknown ids is
-- reported as "skipped", never as a pass.
return {
  id = "wrong_classes",
  title = "Wrong classes",
  description = "Class ids outside the dataset's names; (later) confident predictions of another class, systematic swaps, geometry typical of another class.",
  params = {},
  examples = {
    { dataset = "samples/yolo_forklift", expect = { status = "fail", kinds = { "unknown_class" } } },
  },
  run = function(ds, p, emit)
    local unknown = qc.unknown_class_boxes()
    local ids = {}
    for _, u in ipairs(unknown) do
      ids[u.box.class_id] = (ids[u.box.class_id] or 0) + 1
      emit {
        kind = "unknown_class", severity = "error", image = u.image, box = u.box, score = 1,
        message = string.format("class id %d is not in the dataset's names (%d classes, ids %s)",
          u.box.class_id, #ds.classes, #ds.classes > 0 and (ds.classes[1].id .. "–" .. ds.classes[#ds.classes].id) or "none"),
      }
    end
    if #unknown == 0 then
      return { status = "skipped", message = "no unknown class ids; wrong_class, class_swap and geometry_outlier are not implemented in this version of the rule pack" }
    end
    local list = {}
    for id, n in pairs(ids) do list[#list + 1] = string.format("#%d ×%d", id, n) end
    table.sort(list)
    return { message = string.format("%d box%s with unknown class ids (%s)", #unknown, #unknown == 1 and "" or "es", table.concat(list, ", ")),
             metrics = { unknown_boxes = #unknown } }
  end,
}
