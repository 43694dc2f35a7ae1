-- Check 1 of the QC pass: objects the annotators forgot.
--
-- With the user's predictions: a confident prediction that no label covers is a
-- `missing_box`, reported with the predicted box and class. "Covers" is class-agnostic
-- (a label of another class on the object is a wrong class, reported once by
-- wrong_classes, not also here) and includes same-class nesting, because a loose or
-- tight label around its object overlaps the object's prediction at IoU 0.3–0.6 only
-- and is box_fit's business.
--
-- Without predictions: `count_outlier`, an image with far fewer labels than comparable
-- images — those of its group (scene, camera|day, video: `img.group`) when it has
-- enough, else its split — by robust statistics (median and MAD), so a background frame
-- in a scene whose other frames are full of objects stands out, while a dataset whose
-- counts simply vary a lot stays quiet.
return {
  id = "missing_labels",
  title = "Missing labels",
  description = "Images where annotators forgot objects: confident predictions no label covers, and images with far fewer labels than comparable ones.",
  params = {
    -- with predictions
    min_conf = 0.5,        -- a prediction at least this confident that no label covers is a missing_box
    conf_percentile = 3,   -- ... the floor rises to this percentile of confirmed detections' confidences (0: off)
    cover_iou = 0.3,       -- a label of any class overlapping the prediction at IoU >= this covers it
    nest_coverage = 0.85,  -- a same-class label holding (or held by) this share of the prediction covers it
    duplicate_iou = 0.5,   -- uncovered predictions overlapping this much are one object (NMS leftovers)
    fail_share = 0.10,     -- fail when this share of labelled images has a missing box; else warn
    -- without predictions (and with them when counts_with_predictions)
    count_min_images = 5,  -- a group needs this many images to be a reference (else the split is)
    count_max_z = -3.0,    -- robust z-score of the label count at or below which an image is an outlier
    count_min_fewer = 3,   -- ... with at least this many labels fewer than the reference median
    count_max_share = 0.5, -- ... and at most this share of it
    counts_with_predictions = false,
  },
  examples = {
    { dataset = "samples/clean_yolo", expect = { status = "pass", findings = 0 } },
    { dataset = "samples/yolo_forklift", expect = { status = "pass", findings = 0 } },
  },
  run = function(ds, p, emit)
    local metrics = {}
    local ran = {}
    local flagged_images = {}
    local n_flagged = 0

    if ds.has_predictions then
      ran[#ran + 1] = "missing_box"
      local confidence = require("confidence")
      local min_conf, raised = confidence.floor(p.min_conf, p.conf_percentile)
      local r = qc.missing_candidates { min_conf = min_conf, cover_iou = p.cover_iou,
        nest_coverage = p.nest_coverage, duplicate_iou = p.duplicate_iou }
      for _, c in ipairs(r.candidates) do
        local pred = c.prediction
        local near = ""
        if c.best_label then
          near = string.format("; the nearest label (%s) overlaps it at IoU %.2f < %.2f", c.best_label.class, c.best_iou, p.cover_iou)
        end
        emit {
          kind = "missing_box", image = c.image, score = pred.conf,
          box = { class_id = pred.class_id, xyxy = pred.xyxy },
          suggestion = { action = "add_box", class = pred.class, xyxy = confidence.xyxy(pred.xyxy) },
          message = string.format("the model finds a %s (confidence %.2f >= %.2f) that no label covers%s",
            pred.class, pred.conf, min_conf, near),
        }
        if not flagged_images[c.image] then flagged_images[c.image] = true; n_flagged = n_flagged + 1 end
      end
      metrics.missing_box = { candidates = r.total, eligible_predictions = r.eligible,
        covered_by_iou = r.covered_iou, covered_by_nesting = r.covered_nesting, covered_by_crowd = r.covered_crowd,
        duplicate_predictions = r.suppressed, images = n_flagged, min_conf = min_conf }
      metrics.missing_box.min_conf_note = raised
    end

    local counts
    if not ds.has_predictions or p.counts_with_predictions then
      ran[#ran + 1] = "count_outlier"
      counts = qc.count_outliers { min_images = p.count_min_images, max_z = p.count_max_z,
        min_fewer = p.count_min_fewer, max_share = p.count_max_share }
      for _, c in ipairs(counts.candidates) do
        local where = c.group and ("its group " .. c.group) or "its split"
        emit {
          kind = "count_outlier", image = c.image, score = math.max(0, math.min(1, 1 - c.count / c.median)),
          message = string.format("%d label%s where the %d images of %s have a median of %g (robust z %.1f <= %.1f): objects may be unlabelled",
            c.count, c.count == 1 and "" or "s", c.reference_images, where, c.median, c.z, p.count_max_z),
        }
      end
      metrics.count_outlier = { candidates = counts.total, compared_in_group = counts.in_group,
        compared_in_split = counts.in_split, not_compared = counts.not_compared, groups = counts.groups }
    end

    local parts = {}
    local status
    if metrics.missing_box then
      local labelled = ds.num_images - ds.background_images
      local share = labelled > 0 and n_flagged / labelled or 0
      metrics.missing_box.image_share = share
      parts[#parts + 1] = string.format("%d confident prediction%s (>= %.2f%s) no label covers, on %d image%s (%.1f%% of labelled images)",
        metrics.missing_box.candidates, metrics.missing_box.candidates == 1 and "" or "s", metrics.missing_box.min_conf,
        metrics.missing_box.min_conf_note and (", " .. metrics.missing_box.min_conf_note) or "",
        n_flagged, n_flagged == 1 and "" or "s", share * 100)
      if share >= p.fail_share and n_flagged > 0 then status = "fail" end
    end
    if counts then
      parts[#parts + 1] = string.format("%d image%s with far fewer labels than comparable ones (%d compared within a group, %d within their split)",
        counts.total, counts.total == 1 and "" or "s", counts.in_group, counts.in_split)
    end
    local how = ds.has_predictions and "with predictions" or "without predictions"
    return {
      status = status,
      message = table.concat(parts, "; ") .. string.format(" [checked %s: %s]", how, table.concat(ran, ", ")),
      metrics = metrics,
    }
  end,
}
