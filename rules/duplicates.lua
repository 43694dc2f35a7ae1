-- Check 4 of the QC pass: duplicate images. Copies pad a dataset and bias it towards
-- whatever was copied; across splits they make val mAP lie (split_leakage reports those
-- as cross_split_duplicate).
--
-- `exact_duplicate`: byte-identical files (size + xxh3-128).
-- `near_duplicate`: pHashes within `near_radius` of 64 bits — re-encodes, resizes,
--   small crops and brightness changes of one picture. Frames of one sequence are not
--   compared here: consecutive frames look alike by nature (see static_frames).
-- `same_labels`: images that look different but carry the same labels (same classes,
--   every box paired at IoU >= `same_labels_iou` in 0–1 coordinates): one event from two
--   cameras, or labels pasted onto the wrong image.
-- `static_frames`: runs of >= `static_min_run` consecutive frames of one sequence in
--   which neither the pixels (pHash within `static_radius` of the previous frame) nor
--   the labels (no box moving more than `static_shift` of the image side) change: many
--   copies of one training example.
-- Every finding names the copy to keep (`suggestion.keep`): the one in the split holding
-- most of the group, then the most pixels, the largest file, the first path; for a
-- static run, its first frame. One finding per copy to drop; one per static run.
local function plural(n, word, words) return string.format("%d %s", n, n == 1 and word or (words or word .. "s")) end

return {
  id = "duplicates",
  title = "Duplicate images",
  description = "Exact and near-duplicate images, visually distinct images with the same labels, and runs of static video frames.",
  needs = { "image_hashes" },
  params = {
    near_radius = 10,             -- pHash bits (of 64) within which two images are near-duplicates
    same_labels_iou = 0.9,        -- every box of one image pairs with a same-class box of the other at this IoU
    same_labels_min_boxes = 2,    -- ... for images with at least this many boxes (one box matches by chance too often)
    static_radius = 4,            -- a frame this close (pHash bits) to the previous one ...
    static_shift = 0.01,          -- ... whose boxes moved at most this share of the image side has not changed
    static_min_run = 4,           -- runs of at least this many unchanged frames are reported
    severity = "warning",
  },
  examples = {
    { dataset = "samples/yolo_forklift",
      expect = { status = "warn", kinds = { "exact_duplicate", "near_duplicate", "same_labels", "static_frames" }, findings = 5 } },
    { dataset = "samples/clean_yolo", expect = { status = "pass", findings = 0 } },
    { dataset = "samples/coco_forklift", expect = { status = "pass", findings = 0 } },
  },
  run = function(ds, p, emit)
    local path = {}
    local function image_path(i)
      if not path[i] then path[i] = qc.image(i).path end
      return path[i]
    end
    -- The kept copy first, then the others: at most 50 (findings.json lists 50 and
    -- counts the rest), so a picture copied 3,000 times costs 3,000 short lists, not 9M.
    local function others(group, except)
      local out = {}
      if group.keep ~= except then out[1] = group.keep end
      for _, i in ipairs(group.images) do
        if #out >= 50 then break end
        if i ~= except and i ~= group.keep then out[#out + 1] = i end
      end
      return out, #group.images - 1
    end
    local function where(group)
      return #group.splits > 1 and (" across " .. table.concat(group.splits, " and ")) or (" in " .. group.splits[1])
    end
    local counts = { exact_duplicate = 0, near_duplicate = 0, same_labels = 0, static_frames = 0 }
    local groups = {}

    -- exact_duplicate
    local exact = qc.dupes.exact()
    groups.exact = #exact
    for _, g in ipairs(exact) do
      for _, i in ipairs(g.images) do
        if i ~= g.keep then
          counts.exact_duplicate = counts.exact_duplicate + 1
          emit {
            kind = "exact_duplicate", severity = p.severity, image = i, related = (others(g, i)), related_count = #g.images - 1, score = 1,
            suggestion = { action = "drop_image", keep = image_path(g.keep) },
            message = string.format("byte-identical copy of %s (%s%s); keep one", image_path(g.keep),
              plural(#g.images, "copy", "copies"), where(g)),
          }
        end
      end
    end

    -- near_duplicate
    local near = qc.dupes.near { radius = p.near_radius }
    groups.near = #near
    for _, g in ipairs(near) do
      for k, i in ipairs(g.images) do
        if i ~= g.keep then
          local d = g.distances[k]
          counts.near_duplicate = counts.near_duplicate + 1
          emit {
            kind = "near_duplicate", severity = p.severity, image = i, related = (others(g, i)), related_count = #g.images - 1,
            score = 1 - 0.5 * d / (p.near_radius + 1),
            suggestion = { action = "drop_image", keep = image_path(g.keep) },
            message = string.format("looks like %s (pHash %d of 64 bits apart, <= %d; %s%s): a re-encode, resize or crop of one picture",
              image_path(g.keep), d, p.near_radius, plural(#g.images, "image"), where(g)),
          }
        end
      end
    end

    -- same_labels
    local same = qc.dupes.same_labels { iou = p.same_labels_iou, min_boxes = p.same_labels_min_boxes,
      visual_radius = p.near_radius }
    groups.same_labels = #same
    for _, g in ipairs(same) do
      local boxes = #qc.image(g.keep).boxes  -- one image table per group
      for k, i in ipairs(g.images) do
        if i ~= g.keep then
          counts.same_labels = counts.same_labels + 1
          emit {
            kind = "same_labels", severity = p.severity, image = i, related = (others(g, i)), related_count = #g.images - 1,
            -- every extra box that lines up makes chance less likely
            score = 1 - 0.5 ^ boxes,
            suggestion = { action = "review_labels", keep = image_path(g.keep) },
            message = string.format("same %s as %s (classes and places match at IoU >= %.2f) but different pixels (pHash %d bits apart): one event seen twice, or labels copied onto the wrong image",
              plural(boxes, "label"), image_path(g.keep), p.same_labels_iou, g.distances[k]),
          }
        end
      end
    end

    -- static_frames
    local runs = qc.dupes.static_runs { radius = p.static_radius, shift = p.static_shift, min_run = p.static_min_run }
    groups.static_runs = #runs
    local static_images = 0
    for _, g in ipairs(runs) do
      local n = #g.images
      static_images = static_images + n
      counts.static_frames = counts.static_frames + 1
      local worst = 0
      for _, d in ipairs(g.distances) do if d > worst then worst = d end end
      emit {
        kind = "static_frames", severity = p.severity, image = g.keep, related = (others(g, g.keep)), related_count = n - 1,
        score = math.min(1, 0.5 + n / 40),
        suggestion = { action = "subsample_run", keep = image_path(g.keep), frames = n },
        message = string.format("%d consecutive frames from %s to %s barely change (pHash within %d bits of the previous frame, at most %d here; boxes moved <= %.1f%% of the image): %d near-copies of one example; keep one or a few",
          n, image_path(g.images[1]), image_path(g.images[n]), p.static_radius, worst, p.static_shift * 100, n - 1),
      }
    end

    local stats = qc.hash.stats()
    local parts = {}
    for _, kind in ipairs { "exact_duplicate", "near_duplicate", "same_labels", "static_frames" } do
      if counts[kind] > 0 then
        parts[#parts + 1] = kind == "static_frames"
          and string.format("%s of static frames (%d images)", plural(counts[kind], "run"), static_images)
          or string.format("%d %s", counts[kind], kind:gsub("_", " "))
      end
    end
    local summary = #parts == 0 and "no duplicate images" or table.concat(parts, ", ")
    return {
      message = string.format("%s among %d images (%d decoded, %d from the cache%s)", summary, stats.images,
        stats.decoded, stats.from_cache + stats.from_cache_content,
        stats.failed > 0 and string.format(", %d unreadable", stats.failed) or ""),
      metrics = { findings = counts, groups = groups, static_images = static_images, hashing = stats,
                  near_radius = p.near_radius },
    }
  end,
}
