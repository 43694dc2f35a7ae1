-- Which safe fixes `qcpass fix` applies (not a check: `check` never runs it). The fixes
-- go into a new dataset; the input is never touched, and NEW/.qcpass/changes.json lists
-- every change with the finding or audit row behind it. Set the params per project as
-- `params = { fix = { drop_near_duplicates = true } }` in qcpass.lua, or replace this
-- file with `--rules DIR` holding `fix/policy.lua`.
--
-- `run` reads the findings (`qc.fix.findings()`, from this run or `--from findings.json`),
-- the duplicate clusters with a leak-free copy to keep (`qc.fix.duplicate_clusters`), the
-- reviewer's box corrections (`qc.fix.audit()`) and `--remap` (`qc.fix.remap()`), and
-- emits one action per change: drop_image, drop_label, clip_box, set_class,
-- drop_label_file, remap_classes — each with `suggestion.finding` (or `.audit`) naming
-- its cause.
return {
  id = "fix",
  title = "Fix policy",
  description = "Which fixes qcpass fix applies: duplicates, static frames, duplicate and out-of-bounds boxes, broken label lines, unknown classes, audit corrections, class remaps.",
  params = {
    drop_exact_duplicates = true,   -- keep one copy per cluster of byte-identical images
    drop_near_duplicates = false,   -- also near-duplicates (re-encodes, resizes): their labels may differ
    static_frames = "thin",         -- "keep" | "thin": keep every static_keep_every-th frame of a static run
    static_keep_every = 4,
    drop_duplicate_boxes = true,    -- the second of two same-class boxes on one object
    clip_min_inside = 0.5,          -- an out-of-bounds box with this share inside is clipped, else dropped
    drop_degenerate_boxes = true,   -- boxes with no width or height
    drop_invalid_lines = true,      -- label lines / annotations that do not parse
    drop_unknown_classes = true,    -- boxes whose class id is not in names (Ultralytics would skip the image)
    drop_orphan_labels = true,      -- label files without an image are not carried over
    apply_audit = true,             -- the reviewer's box-level class corrections from --audit
    apply_class_swaps = false,      -- the remap a class_swap finding suggests (review it first, or pass --remap)
  },
  run = function(ds, p, emit)
    local count = 0
    local function act(t) count = count + 1; emit(t) end

    -- duplicate images: one kept per cluster, chosen so no group key ends up in two splits
    local kinds = {}
    if p.drop_exact_duplicates then kinds[#kinds + 1] = "exact_duplicate" end
    if p.drop_near_duplicates then kinds[#kinds + 1] = "near_duplicate" end
    if #kinds > 0 then
      for _, c in ipairs(qc.fix.duplicate_clusters { kinds = kinds }) do
        for _, d in ipairs(c.drop) do
          act { kind = "drop_image", image = d.image, suggestion = { finding = d.finding },
                message = string.format("%s of %s, which stays", d.kind:gsub("_", " "), c.keep) }
        end
      end
    end

    for _, f in ipairs(qc.fix.findings()) do
      local k, ref = f.kind, f.ref or (f.box and f.box.ref)
      if k == "static_frames" and p.static_frames == "thin" and p.static_keep_every >= 2 then
        -- frames 2..n of the run are `related`; keep every static_keep_every-th
        for n, path in ipairs(f.related) do
          if n % p.static_keep_every ~= 0 then
            act { kind = "drop_image", image = path, suggestion = { finding = f.id },
                  message = string.format("static frame %d of a run starting at %s (keeping every %d)", n + 1, f.image, p.static_keep_every) }
          end
        end
      elseif k == "duplicate_box" and p.drop_duplicate_boxes and ref then
        act { kind = "drop_label", ref = ref, image = f.image, suggestion = { finding = f.id },
              message = "a second box of the same class on the same object" }
      elseif k == "bad_box" and ref and f.suggestion and f.suggestion.action == "clip_box" then
        local b, w, h = f.box.xyxy, f.width, f.height
        local area = (b[3] - b[1]) * (b[4] - b[2])
        local inside = 0
        if w and h and area > 0 then
          inside = math.max(0, math.min(b[3], w) - math.max(b[1], 0)) * math.max(0, math.min(b[4], h) - math.max(b[2], 0)) / area
        end
        if inside >= p.clip_min_inside then
          act { kind = "clip_box", ref = ref, image = f.image, suggestion = { finding = f.id },
                message = string.format("clipped to the image (%.0f%% of it was inside)", inside * 100) }
        elseif p.drop_degenerate_boxes then
          act { kind = "drop_label", ref = ref, image = f.image, suggestion = { finding = f.id },
                message = string.format("only %.0f%% of the box lies inside the image", inside * 100) }
        end
      elseif k == "bad_box" and ref and p.drop_degenerate_boxes then
        act { kind = "drop_label", ref = ref, image = f.image, suggestion = { finding = f.id },
              message = "degenerate box: no width or height" }
      elseif (k == "invalid_label" or k == "invalid_annotation") and p.drop_invalid_lines and ref then
        act { kind = "drop_label", ref = ref, image = f.image, suggestion = { finding = f.id },
              message = "does not parse as a label" }
      elseif k == "unknown_class" and p.drop_unknown_classes and ref then
        act { kind = "drop_label", ref = ref, image = f.image, suggestion = { finding = f.id },
              message = "class id not in names" }
      elseif k == "orphan_label" and p.drop_orphan_labels and ref then
        act { kind = "drop_label_file", ref = ref, suggestion = { finding = f.id },
              message = "label file without an image" }
      elseif k == "class_swap" and p.apply_class_swaps and f.suggestion and f.suggestion.map then
        act { kind = "remap_classes", suggestion = { finding = f.id, map = f.suggestion.map },
              message = "the class swap this finding shows" }
      end
    end

    if p.apply_audit then
      for _, row in ipairs(qc.fix.audit()) do
        act { kind = "set_class", ref = row.box_ref, image = row.image, suggestion = { audit = row.place, class = row.class },
              message = string.format("reviewer: %s%s", row.class, row.note ~= "" and (" (" .. row.note .. ")") or "") }
      end
    end

    local remap = qc.fix.remap()
    if remap then
      act { kind = "remap_classes", suggestion = { option = "--remap", map = remap }, message = "--remap on the command line" }
    end
    return { message = string.format("%d fixes chosen", count) }
  end,
}
