-- Check 3 of the QC pass: boxes that do not enclose their object.
--
-- Without a model: `bad_box` (a box reaching past the image edge by more than a
-- rounding tolerance, or one with no width or height), `duplicate_box` (the same object
-- labelled twice: same class, IoU >= 0.9) and `tiny_box` (a box that shrinks below a few
-- pixels when the image is resized to the training size — Ultralytics drops boxes
-- under 2 px after augmentation, and a stride-8 head cannot localise much below that).
-- With predictions: `loose_box` / `tight_box` when a confident same-class prediction
-- nests with the label (one holds >= 85% of the other) but does not fit it (IoU < 0.7)
-- and their areas differ clearly. Nesting, not IoU >= 0.5, pairs them: a label drawn
-- x1.5 per side has IoU 0.44 with its object. `box` is the label as written; the
-- prediction is the suggested box.
return {
  id = "box_fit",
  title = "Loose / tight boxes",
  description = "Boxes out of bounds, degenerate, duplicated, too small at the training size, or looser/tighter than the object.",
  params = {
    oob_tolerance = 1.0,   -- pixels past an edge still accepted (converter rounding)
    duplicate_iou = 0.9,   -- same-class boxes of one image overlapping this much are one object labelled twice
    imgsz = 640,           -- training image size (longer side), as Ultralytics' imgsz
    tiny_px = 3,           -- a box whose shorter side is under this many pixels at imgsz is tiny
    -- loose_box / tight_box (with predictions)
    min_conf = 0.5,        -- same-class predictions below this confidence are not evidence
    conf_percentile = 3,   -- ... the floor rises to this percentile of confirmed detections' confidences (0: off)
    nest_coverage = 0.85,  -- share of the smaller box the larger must hold
    fit_iou = 0.7,         -- a same-class prediction at IoU >= this means the label fits
    min_area_ratio = 1.35, -- label/prediction area >= this is loose, <= 1/this is tight
    explained_iou = 0.5,   -- a prediction another same-class label fits this well is that label's
  },
  examples = {
    { dataset = "samples/yolo_forklift", expect = { status = "fail", kinds = { "bad_box" }, findings = 1 } },
    { dataset = "samples/clean_yolo", expect = { status = "pass", findings = 0 } },
  },
  run = function(ds, p, emit)
    local ran = { "bad_box", "duplicate_box", "tiny_box" }
    local issues = qc.box_issues { oob_tolerance = p.oob_tolerance, duplicate_iou = p.duplicate_iou,
      imgsz = p.imgsz, tiny_px = p.tiny_px }
    for _, c in ipairs(issues.degenerate) do
      local w, h = c.box.xyxy[3] - c.box.xyxy[1], c.box.xyxy[4] - c.box.xyxy[2]
      emit {
        kind = "bad_box", severity = "error", image = c.image, box = c.box, score = 1,
        suggestion = { action = "delete_box" },
        message = string.format("degenerate box: %.2f x %.2f px, nothing to train on", w, h),
      }
    end
    for _, c in ipairs(issues.out_of_bounds) do
      emit {
        kind = "bad_box", severity = "error", image = c.image, box = c.box,
        score = math.min(1, 0.5 + 0.5 * c.outside + math.min(0.25, c.overhang / 100)),
        suggestion = { action = "clip_box" },
        message = string.format("box reaches %.1f px past the image edge (tolerance %g px); %.0f%% of it lies outside",
          c.overhang, p.oob_tolerance, c.outside * 100),
      }
    end
    for _, c in ipairs(issues.duplicate) do
      emit {
        kind = "duplicate_box", image = c.image, box = c.box, score = c.iou,
        suggestion = { action = "delete_box", duplicate_of = c.other.ref },
        message = string.format("%s box repeats %s (IoU %.2f >= %.2f): one object labelled twice",
          c.box.class, c.other.ref or "another box", c.iou, p.duplicate_iou),
      }
    end
    for _, c in ipairs(issues.tiny) do
      local side = math.min(c.width, c.height)
      emit {
        kind = "tiny_box", image = c.image, box = c.box, score = math.max(0.1, math.min(1, 1 - side / p.tiny_px)),
        message = string.format("%.1f x %.1f px at imgsz %g, under %g px: too small to learn at the training size",
          c.width, c.height, p.imgsz, p.tiny_px),
      }
    end

    local fits = {}
    local min_conf
    local counts = { loose = 0, tight = 0 }
    if ds.has_predictions then
      ran[#ran + 1] = "loose_box"
      ran[#ran + 1] = "tight_box"
      local raised
      local confidence = require("confidence")
      min_conf, raised = confidence.floor(p.min_conf, p.conf_percentile)
      fits = qc.fit_candidates { min_conf = min_conf, nest_coverage = p.nest_coverage, fit_iou = p.fit_iou,
        min_area_ratio = p.min_area_ratio, explained_iou = p.explained_iou }
      for _, c in ipairs(fits) do
        local pred = c.prediction
        local loose = c.direction == "loose"
        counts[c.direction] = counts[c.direction] + 1
        local shape = loose
          and string.format("%s box has %.1fx the area of the %s prediction inside it", c.box.class, c.area_ratio, pred.class)
          or string.format("%s box has only %.0f%% of the area of the %s prediction around it", c.box.class, c.area_ratio * 100, pred.class)
        emit {
          kind = loose and "loose_box" or "tight_box", image = c.image, box = c.box, score = pred.conf,
          suggestion = { action = "resize_box", xyxy = confidence.xyxy(pred.xyxy) },
          message = string.format("%s (confidence %.2f, IoU %.2f < %.2f, %.0f%% nested)%s", shape, pred.conf, c.iou, p.fit_iou,
            c.coverage * 100, loose and ": drawn loose" or ": it cuts the object off"),
        }
      end
    end

    local t = issues.totals
    local parts = {
      string.format("%d degenerate, %d out of bounds, %d duplicate, %d tiny (< %g px at %g)",
        t.degenerate, t.out_of_bounds, t.duplicate, t.tiny, p.tiny_px, p.imgsz),
    }
    if ds.has_predictions then
      parts[#parts + 1] = string.format("%d loose and %d tight against predictions >= %.2f", counts.loose, counts.tight, min_conf)
    end
    if issues.unsized_images > 0 then
      parts[#parts + 1] = string.format("%d image%s of unknown size not checked for bounds and size",
        issues.unsized_images, issues.unsized_images == 1 and "" or "s")
    end
    local how = ds.has_predictions and "with predictions" or "without predictions"
    return {
      message = table.concat(parts, "; ") .. string.format(" [checked %s: %s]", how, table.concat(ran, ", ")),
      metrics = {
        checked_boxes = issues.checked_boxes, degenerate = t.degenerate, out_of_bounds = t.out_of_bounds,
        duplicate = t.duplicate, tiny = t.tiny, loose = counts.loose, tight = counts.tight,
        unsized_images = issues.unsized_images, min_conf = min_conf,
      },
    }
  end,
}
