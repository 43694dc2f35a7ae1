-- Check 2 of the QC pass: class ids outside the dataset's names, mislabelled instances
-- and systematically swapped classes.
--
-- Always: `unknown_class` for ids that `names` does not have.
-- With predictions: `wrong_class` when a confident prediction of another class sits on
-- the label (high IoU) and the model does not also see the written class there; the
-- labels x predictions confusion matrix goes to metrics, and a confusion that runs both
-- ways far above the model's usual noise (e.g. 30% of bicycles predicted motorcycle AND
-- 30% of motorcycles predicted bicycle) is ONE `class_swap` finding with the remap to
-- apply — the per-box wrong_class findings stay, they are the boxes to fix.
-- Without predictions: `geometry_outlier`, a box whose size and aspect are far from
-- its class's typical ones and typical of another class. Weak evidence, so the bar is
-- high: 5 robust z from its own class, within 2 of another.
return {
  id = "wrong_classes",
  title = "Wrong classes",
  description = "Class ids outside the dataset's names; confident predictions of another class; systematic A<->B swaps; boxes shaped like another class.",
  params = {
    -- wrong_class (with predictions)
    min_conf = 0.6,        -- the other class's prediction needs this confidence
    conf_percentile = 8,   -- ... the floor rises to this percentile of confirmed detections' confidences (0: off)
    min_iou = 0.5,         -- ... and this IoU with the label
    agree_iou = 0.3,       -- a same-class prediction overlapping the label this much
    agree_conf = 0.25,     -- ... at this confidence or more means the model also sees the written class: no finding
    explained_iou = 0.5,   -- a prediction that a label of its own class fits this well is that label's
    -- confusion matrix and class_swap
    confusion_iou = 0.45,  -- Ultralytics' confusion-matrix matching IoU
    confusion_conf = 0.25, -- ... and confidence
    swap_min_share = 0.10, -- share of A's detected labels predicted as B, and of B's as A
    swap_min_count = 10,   -- ... each direction with at least this many labels
    -- geometry_outlier (without predictions, or with them when geometry_with_predictions)
    geometry_min_class_boxes = 30, -- classes with fewer boxes get no size/aspect profile
    geometry_own_z = 5.0,  -- robust distance from its own class at or above which a box is odd
    geometry_other_z = 2.0, -- ... when another class's profile is within this distance
    geometry_with_predictions = false,
  },
  examples = {
    { dataset = "samples/yolo_forklift", expect = { status = "fail", kinds = { "unknown_class" }, findings = 1 } },
    { dataset = "samples/clean_yolo", expect = { status = "pass", findings = 0 } },
    { dataset = "samples/coco_forklift", expect = { status = "pass", findings = 0 } },
  },
  run = function(ds, p, emit)
    local ran = { "unknown_class" }
    local parts = {}
    local metrics = {}

    -- unknown_class
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
    local list = {}
    for id, n in pairs(ids) do list[#list + 1] = string.format("#%d ×%d", id, n) end
    table.sort(list)
    metrics.unknown_boxes = #unknown
    parts[#parts + 1] = #unknown == 0 and "no unknown class ids"
      or string.format("%d box%s with unknown class ids (%s)", #unknown, #unknown == 1 and "" or "es", table.concat(list, ", "))

    if ds.has_predictions then
      ran[#ran + 1] = "wrong_class"
      ran[#ran + 1] = "class_swap"
      -- wrong_class, per box
      local min_conf, raised = require("confidence").floor(p.min_conf, p.conf_percentile)
      local cands = qc.class_candidates { min_conf = min_conf, min_iou = p.min_iou,
        agree_iou = p.agree_iou, explained_iou = p.explained_iou }
      local by_pair = {}   -- "A\0B" -> images of wrong_class findings labelled A, predicted B
      local n = 0
      for _, c in ipairs(cands) do
        if ds.names[c.box.class_id] and c.agree_conf < p.agree_conf then
          local pred = c.prediction
          n = n + 1
          local key = c.box.class .. "\0" .. pred.class
          local imgs = by_pair[key] or {}
          imgs[#imgs + 1] = c.image
          by_pair[key] = imgs
          local agree = ""
          if c.agree then agree = string.format("; its %s prediction there has only %.2f", c.box.class, c.agree_conf) end
          emit {
            kind = "wrong_class", image = c.image, box = c.box, score = pred.conf * (1 - c.agree_conf),
            suggestion = { action = "change_class", class = pred.class, class_id = pred.class_id, score = pred.conf },
            message = string.format("labelled %s, but the model predicts %s here (confidence %.2f >= %.2f, IoU %.2f >= %.2f)%s",
              c.box.class, pred.class, pred.conf, min_conf, c.iou, p.min_iou, agree),
          }
        end
      end
      metrics.wrong_class = { findings = n, candidates = cands.total, min_conf = min_conf, min_conf_note = raised }
      if cands.total > #cands then
        parts[#parts + 1] = string.format("only the %d most confident of %d candidates were examined", #cands, cands.total)
      end

      -- confusion matrix and class_swap
      local cm = qc.confusion { iou = p.confusion_iou, min_conf = p.confusion_conf }
      metrics.confusion = { classes = cm.classes, counts = cm.counts, iou = p.confusion_iou, conf = p.confusion_conf }
      local cell = {}
      for _, c in ipairs(cm.confusions) do cell[c.label .. "\0" .. c.predicted] = c.count end
      local swaps = {}
      for _, c in ipairs(cm.confusions) do
        local a, b = c.label, c.predicted
        if a < b then
          local ab, ba = c.count, cell[b .. "\0" .. a] or 0
          local da, db = cm.detected[a] or 0, cm.detected[b] or 0
          local sab = da > 0 and ab / da or 0
          local sba = db > 0 and ba / db or 0
          if ab >= p.swap_min_count and ba >= p.swap_min_count and sab >= p.swap_min_share and sba >= p.swap_min_share then
            swaps[#swaps + 1] = { a = a, b = b, ab = ab, ba = ba, sab = sab, sba = sba }
          end
        end
      end
      table.sort(swaps, function(x, y) return math.min(x.sab, x.sba) > math.min(y.sab, y.sba) end)
      for _, s in ipairs(swaps) do
        local related, seen, boxes = {}, {}, 0
        for _, key in ipairs { s.a .. "\0" .. s.b, s.b .. "\0" .. s.a } do
          for _, i in ipairs(by_pair[key] or {}) do
            boxes = boxes + 1
            if not seen[i] then seen[i] = true; related[#related + 1] = i end
          end
        end
        table.sort(related)
        local exchanged = s.sab >= 0.5 and s.sba >= 0.5
        emit {
          kind = "class_swap", severity = "error", class = s.a, related = related,
          score = math.min(1, 0.5 + math.min(s.sab, s.sba)),
          suggestion = exchanged
            and { action = "remap_classes", scope = "all", map = { [s.a] = s.b, [s.b] = s.a } }
            or { action = "remap_classes", scope = "wrong_class findings", map = { [s.a] = s.b, [s.b] = s.a }, boxes = boxes },
          message = string.format("%s and %s are confused both ways: %.0f%% of detected %s labels are predicted %s (%d) and %.0f%% of %s labels %s (%d), above the %.0f%% a model's own confusion explains. %s",
            s.a, s.b, s.sab * 100, s.a, s.b, s.ab, s.sba * 100, s.b, s.a, s.ba, p.swap_min_share * 100,
            exchanged and ("The ids look exchanged: swap the names of " .. s.a .. " and " .. s.b .. ".")
              or string.format("Relabel the %d wrong_class boxes between them (%d images).", boxes, #related)),
        }
      end
      metrics.class_swaps = #swaps
      parts[#parts + 1] = string.format("%d label%s the model calls another class at >= %.2f%s", n, n == 1 and "" or "s",
        min_conf, raised and (" (" .. raised .. ")") or "")
      parts[#parts + 1] = #swaps == 0 and "no systematic swap" or string.format("%d systematic swap%s (%s)", #swaps,
        #swaps == 1 and "" or "s", (function()
          local t = {}
          for _, s in ipairs(swaps) do t[#t + 1] = s.a .. "<->" .. s.b end
          return table.concat(t, ", ")
        end)())
    end

    if not ds.has_predictions or p.geometry_with_predictions then
      ran[#ran + 1] = "geometry_outlier"
      local g = qc.geometry_outliers { min_class_boxes = p.geometry_min_class_boxes,
        own_z = p.geometry_own_z, other_z = p.geometry_other_z }
      for _, c in ipairs(g.candidates) do
        if ds.names[c.box.class_id] then
          local own = g.profiles[c.box.class]
          emit {
            kind = "geometry_outlier", image = c.image, box = c.box,
            score = math.max(0, math.min(1, (c.own_z - c.other_z) / 10)),
            suggestion = { action = "check_class", class = c.other_class, class_id = c.other_class_id },
            message = string.format("size %.3f and aspect %.2f are %.1f robust z from typical %s (%.3f, %.2f) but %.1f from %s: a %s labelled %s?",
              c.size, c.aspect, c.own_z, c.box.class, own.size, own.aspect, c.other_z, c.other_class, c.other_class, c.box.class),
          }
        end
      end
      local profiled = 0
      for _ in pairs(g.profiles) do profiled = profiled + 1 end
      metrics.geometry = { candidates = g.total, checked_boxes = g.checked_boxes, profiles = g.profiles }
      parts[#parts + 1] = profiled >= 2
        and string.format("%d box%s shaped like another class (%d classes with >= %d boxes profiled)", g.total,
          g.total == 1 and "" or "es", profiled, p.geometry_min_class_boxes)
        or string.format("geometry not compared (fewer than 2 classes with >= %d boxes)", p.geometry_min_class_boxes)
    end

    local how = ds.has_predictions and "with predictions" or "without predictions"
    return {
      message = table.concat(parts, "; ") .. string.format(" [checked %s: %s]", how, table.concat(ran, ", ")),
      metrics = metrics,
    }
  end,
}
