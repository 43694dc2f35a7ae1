-- Check 7 of the QC pass: background images (no labels) should be 0–10% of the
-- dataset. Too few and the model never learns "nothing here"; too many and they
-- dilute the signal. Checked overall and per split, because a val split with no
-- background images measures a different task than the one trained.
return {
  id = "background",
  title = "Background images",
  description = "Share of images with no labels; 0–10% is healthy, overall and in each split.",
  params = {
    min_share = 0.0,
    max_share = 0.10,
    per_split = true,
    severity = "warning",
  },
  examples = {
    { dataset = "samples/yolo_forklift", expect = { status = "warn", kinds = { "background_ratio" } } },
    { dataset = "samples/clean_yolo", expect = { status = "pass", findings = 0 } },
  },
  run = function(ds, p, emit)
    local function pct(x) return string.format("%.1f%%", x * 100) end
    local function judge(images, background, split)
      if images == 0 then return nil end
      local share = background / images
      local where = split and ("split " .. split) or "dataset"
      local bound
      if share > p.max_share then bound = "above the maximum " .. pct(p.max_share)
      elseif share < p.min_share then bound = "below the minimum " .. pct(p.min_share) end
      if bound then
        local distance = share > p.max_share and (share - p.max_share) or (p.min_share - share)
        emit {
          kind = "background_ratio", severity = p.severity, split = split,
          score = math.min(1, 0.5 + distance * 2),
          message = string.format("%s: %d of %d images (%s) have no labels, %s.", where, background, images, pct(share), bound),
        }
      end
      return share
    end
    local overall = judge(ds.num_images, ds.background_images, nil) or 0
    local metrics = { share = overall, background_images = ds.background_images, images = ds.num_images, per_split = {} }
    for _, split in ipairs(ds.splits) do
      local s = ds.per_split[split]
      metrics.per_split[split] = { images = s.images, background = s.background,
        share = s.images > 0 and s.background / s.images or 0 }
      if p.per_split and #ds.splits > 1 then judge(s.images, s.background, split) end
    end
    return {
      message = string.format("%d of %d images (%s) are background; healthy range %s–%s",
        ds.background_images, ds.num_images, pct(overall), pct(p.min_share), pct(p.max_share)),
      metrics = metrics,
    }
  end,
}
