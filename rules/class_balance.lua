-- Check 5 of the QC pass. The bar: every class with >= 1,500 images and >= 10,000
-- instances; a largest/smallest instance ratio >= 10 fails and >= 3 warns; a class
-- under 100 instances is an error on its own. When it is broken the fixes are, in
-- order: collect more of the rare class, oversample it at training time, and only
-- then a class-weighted loss.
local ADVICE = "Fix in this order: collect more images of the rare class; oversample it at training time; only then try a class-weighted loss."

return {
  id = "class_balance",
  title = "Class imbalance",
  description = "Instances and images per class against the 1,500-image / 10,000-instance bar and the largest/smallest ratio.",
  params = {
    min_images = 1500,
    min_instances = 10000,
    min_instances_error = 100,
    ratio_warn = 3,
    ratio_fail = 10,
  },
  examples = {
    { dataset = "samples/yolo_forklift", expect = { status = "fail", kinds = { "rare_class", "dominant_class" } } },
  },
  run = function(ds, p, emit)
    local hist = qc.hist()
    local rows = {}
    for _, c in ipairs(ds.classes) do
      local h = hist.classes[c.name] or { instances = 0, images = 0 }
      rows[#rows + 1] = { name = c.name, id = c.id, instances = h.instances, images = h.images }
    end
    table.sort(rows, function(a, b) return a.instances > b.instances end)

    for _, r in ipairs(rows) do
      if r.instances < p.min_instances_error then
        emit {
          kind = "rare_class", severity = "error", class = r.name,
          score = 1 - r.instances / p.min_instances_error,
          message = string.format("%s has %d instances in %d images, under the hard minimum of %d. %s",
            r.name, r.instances, r.images, p.min_instances_error, ADVICE),
        }
      elseif r.images < p.min_images or r.instances < p.min_instances then
        local short = {}
        if r.images < p.min_images then short[#short + 1] = string.format("%d images < %d", r.images, p.min_images) end
        if r.instances < p.min_instances then short[#short + 1] = string.format("%d instances < %d", r.instances, p.min_instances) end
        emit {
          kind = "rare_class", severity = "error", class = r.name,
          score = 1 - math.min(r.images / p.min_images, r.instances / p.min_instances),
          message = string.format("%s is under the bar (%s). %s", r.name, table.concat(short, ", "), ADVICE),
        }
      end
    end

    local ratio
    if #rows >= 2 then
      local largest, smallest = rows[1], rows[#rows]
      ratio = smallest.instances > 0 and largest.instances / smallest.instances or math.huge
      if ratio >= p.ratio_warn then
        local severity = ratio >= p.ratio_fail and "error" or "warning"
        emit {
          kind = "dominant_class", severity = severity, class = largest.name,
          score = math.min(1, ratio / (2 * p.ratio_fail)),
          message = string.format("%s has %s the instances of %s (%d vs %d); %s at >= %d:1. %s",
            largest.name, ratio == math.huge and "infinitely many times" or string.format("%.1fx", ratio),
            smallest.name, largest.instances, smallest.instances,
            severity == "error" and "fails" or "warns", severity == "error" and p.ratio_fail or p.ratio_warn, ADVICE),
        }
      end
    end

    local metrics = { ratio = ratio ~= math.huge and ratio or nil, classes = hist.classes, splits = hist.splits }
    local msg
    if #rows == 0 then
      msg = "no classes declared"
    elseif ratio then
      local r = ratio == math.huge and "inf" or string.format("%.1f", ratio)
      msg = string.format("largest/smallest %s:%s = %s:1; smallest class %s has %d instances",
        rows[1].name, rows[#rows].name, r, rows[#rows].name, rows[#rows].instances)
    else
      msg = string.format("one class: %s with %d instances", rows[1].name, rows[1].instances)
    end
    return { message = msg, metrics = metrics }
  end,
}
