-- The stratified visual audit (`qcpass sample`): how many images each bucket takes, and
-- which images are the edge cases. A person reviews the sample in gallery.html; the
-- verdicts come back with `qcpass check --audit audit.csv`.
--
-- Edge cases here are generic: the most crowded images (where missed and duplicate
-- boxes hide) and the images with the smallest boxes (where loose boxes and wrong
-- classes hide). A project with its own notion of an edge case replaces this file with
-- `--rules DIR` holding `audit/sample.lua`; `run` emits candidates best first, and the
-- sampler takes them in that order, skipping images an earlier bucket already took.
return {
  id = "sample",
  title = "Audit sample",
  description = "Bucket sizes of the stratified audit (qcpass sample); edge cases are the most crowded images and those with the smallest boxes.",
  params = {
    per_class = 10,         -- random images holding each class
    background = 10,        -- random images without labels
    edge_cases = 10,        -- chosen by run() below
    low_confidence = 10,    -- images with the least confident predictions (with --predictions)
    flagged = 10,           -- images with the highest-scored findings of the checks
    random = 0,             -- plain random images (`qcpass sample --random 120`: skim 100+ images)
    crowded_share = 0.5,    -- share of edge cases that are crowded images; the rest have the smallest boxes
  },
  run = function(ds, p, emit)
    -- Enough candidates that the quota fills even when flagged and low_confidence,
    -- which fill first, took many of them.
    local wanted = 4 * p.edge_cases + 20
    local found = qc.edge_candidates { limit = wanted }
    local crowded, small = found.crowded, found.smallest
    local most = #crowded > 0 and crowded[1].boxes or 1

    -- Interleave the two lists at crowded_share, each image once.
    local emitted, seen, ci, si, from_crowded = 0, {}, 1, 1, 0
    while emitted < wanted and (ci <= #crowded or si <= #small) do
      local pick_crowded = si > #small or (ci <= #crowded and from_crowded < p.crowded_share * (emitted + 1))
      if pick_crowded then
        local c = crowded[ci]; ci = ci + 1
        if not seen[c.image] then
          seen[c.image] = true; emitted = emitted + 1; from_crowded = from_crowded + 1
          emit { kind = "crowded", image = c.image, severity = "info", score = c.boxes / most,
                 message = string.format("crowded: %d boxes (the median labelled image has %d)", c.boxes, found.median_boxes) }
        end
      else
        local s = small[si]; si = si + 1
        if not seen[s.image] then
          seen[s.image] = true; emitted = emitted + 1
          local w, h = s.box.xyxy[3] - s.box.xyxy[1], s.box.xyxy[4] - s.box.xyxy[2]
          emit { kind = "small_box", image = s.image, severity = "info", score = math.max(0, 1 - s.side),
                 message = string.format("smallest box: %s %.0f×%.0f px (%.1f%% of the image side)",
                   s.box.class, w, h, 100 * s.side) }
        end
      end
    end
    return { message = string.format("%d edge-case candidates", emitted) }
  end,
}
