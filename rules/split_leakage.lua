-- Check 6 of the QC pass: does the same scene / camera / day appear in train AND
-- val/test? If so val mAP overstates what the shipped model will do.
--
-- `group_leak`: every group key present in more than one split, with its images. The key
-- is the project's `group_key(img)` from qcpass.lua or the default: the `scene` column
-- of metadata.csv; else `camera|day`; else EXIF camera model + date; else a run of at
-- least `min_run` consecutive frame numbers sharing a file-name stem (so IMG_0042 and
-- IMG_0044 stay apart). Native: `img.group`, `qc.groups()`.
-- `distribution_shift`: a val/test split whose class shares or box sizes differ clearly
-- from the training split's. "Clearly" is an effect size, not a p-value (with 10⁵ boxes
-- every difference is significant): total variation distance of the class shares with
-- at least one class moving by some percentage points, or a class whose median box size
-- differs by a factor — each only with enough boxes to mean anything, and only when
-- sampling noise cannot explain it (chi-square test of the class counts; for sizes, the
-- median difference against its standard error from the quartiles).
-- `cross_split_duplicate`: an exact or near-duplicate (pHash within `near_radius`) of an
-- image of another split; the copy outside the reference split is the one reported (and
-- counted in the leaked share), with its copies as `related`.
-- Upper tail of the standard normal (Abramowitz & Stegun 26.2.17, error < 7.5e-8).
local function normal_sf(z)
  if z < 0 then return 1 - normal_sf(-z) end
  local t = 1 / (1 + 0.2316419 * z)
  local poly = t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))))
  return math.exp(-z * z / 2) / math.sqrt(2 * math.pi) * poly
end

-- Upper tail of chi-square with df degrees of freedom (Wilson–Hilferty), for telling a
-- real shift from the sampling noise of small splits.
local function chi2_sf(x, df)
  if df <= 0 then return 1 end
  local a = 2 / (9 * df)
  return normal_sf(((x / df) ^ (1 / 3) - (1 - a)) / math.sqrt(a))
end

local function describe_key(key)
  local kind, rest = key:match("^([%w%-]+):(.*)$")
  if kind == "scene" then return "scene " .. rest
  elseif kind == "camera-day" then return "camera|day " .. rest
  elseif kind == "exif" then return "EXIF camera|date " .. rest
  elseif kind == "frames" then return "frame run " .. rest .. "*"
  end
  return "group " .. key
end

return {
  id = "split_leakage",
  title = "Split leakage",
  description = "Group keys (scene, camera|day, EXIF, frame runs) and duplicate images spanning splits; class and box-size shift between splits.",
  needs = { "image_hashes" },
  params = {
    near_radius = 10,        -- pHash bits within which an image of another split counts as a copy
    min_run = 3,             -- consecutive frame numbers that make a file-name stem a group (default key)
    reference_split = "train", -- splits are compared with this one (else the largest)
    leak_severity = "error",
    shift_min_boxes = 200,   -- both splits need this many boxes for a class-share comparison
    shift_tv = 0.10,         -- total variation distance of class shares that counts as a shift ...
    shift_min_pp = 5,        -- ... with some class's share moving by at least this many percentage points
    shift_max_p = 0.001,     -- ... and a chance of at most this that sampling noise explains it
    size_ratio = 1.5,        -- a class's median box size (relative to the image) differing by this factor
    size_min_boxes = 50,     -- ... with this many boxes of the class in both splits
  },
  examples = {
    { dataset = "samples/yolo_forklift", expect = { status = "fail", kinds = { "group_leak", "cross_split_duplicate" }, findings = 2 } },
    { dataset = "samples/clean_yolo", expect = { status = "pass", findings = 0 } },
    { dataset = "samples/coco_forklift", expect = { status = "pass", findings = 0 } },
  },
  run = function(ds, p, emit)
    local function pct(x) return string.format("%.1f%%", x * 100) end
    local g = qc.groups()

    -- the reference split and the evaluation splits
    local ref = nil
    for _, s in ipairs(ds.splits) do if s == p.reference_split then ref = s end end
    if not ref then
      for _, s in ipairs(ds.splits) do
        if not ref or ds.per_split[s].images > ds.per_split[ref].images then ref = s end
      end
    end
    local eval = {}
    for _, s in ipairs(ds.splits) do if s ~= ref then eval[#eval + 1] = s end end

    -- group_leak
    for _, grp in ipairs(g.leaking) do
      local spread = {}
      for _, s in ipairs(ds.splits) do
        if grp.per_split[s] then spread[#spread + 1] = string.format("%s (%d)", s, grp.per_split[s]) end
      end
      emit {
        kind = "group_leak", severity = p.leak_severity, image = grp.images[1],
        related = grp.images, related_count = grp.image_count,
        score = grp.key:match("^frames:") and 0.8 or 1.0,
        suggestion = { action = "regroup_split", group = grp.key },
        message = string.format("%s spans %s: the model would be evaluated on a %s it trained on; keep each group in one split (qcpass split)",
          describe_key(grp.key), table.concat(spread, " and "), grp.key:match("^scene:") and "scene" or "group"),
      }
    end
    -- cross_split_duplicate
    local leaking_keys = {}
    for _, grp in ipairs(g.leaking) do leaking_keys[grp.key] = true end
    local flagged, pixel_only, cross = {}, {}, 0
    local function check_copies(groups, exact)
      for _, dg in ipairs(groups) do
        if #dg.splits > 1 then
          local keep_split
          local all_eval = true
          for k, i in ipairs(dg.images) do
            if i == dg.keep then keep_split = dg.member_splits[k] end
            if dg.member_splits[k] == ref then all_eval = false end
          end
          for k, i in ipairs(dg.images) do
            local split = dg.member_splits[k]
            local report = (all_eval and split ~= keep_split) or (not all_eval and split ~= ref)
            if report and not flagged[i] then
              flagged[i] = true
              cross = cross + 1
              -- copies in other splits: at most 50 listed, all counted
              local related, where, n = {}, {}, 0
              if keep_split ~= split then related[1] = dg.keep end  -- the kept copy first
              for k2, other in ipairs(dg.images) do
                local s2 = dg.member_splits[k2]
                if s2 ~= split then
                  n = n + 1
                  if #related < 50 and other ~= dg.keep then related[#related + 1] = other end
                  where[s2] = true
                end
              end
              local names = {}
              for _, s in ipairs(ds.splits) do if where[s] then names[#names + 1] = s end end
              local img = qc.image(i)
              if not (img.group and leaking_keys[img.group]) then
                pixel_only[split] = (pixel_only[split] or 0) + 1
              end
              emit {
                kind = "cross_split_duplicate", severity = p.leak_severity, image = i, related = related, related_count = n,
                score = exact and 1 or (1 - 0.5 * dg.distances[k] / (p.near_radius + 1)),
                suggestion = { action = "drop_image", keep = qc.image(dg.keep).path },
                message = string.format("%s of %s in %s: the model would be evaluated on a picture it trained on; drop this copy or keep the group in one split",
                  exact and "byte-identical copy" or string.format("near-duplicate (pHash %d bits from the copy to keep)", dg.distances[k]),
                  qc.image(related[1]).path, table.concat(names, " and ")),
              }
            end
          end
        end
      end
    end
    check_copies(qc.dupes.exact(), true)
    check_copies(qc.dupes.near { radius = p.near_radius }, false)

    local leak_metrics = {}
    local leak_parts = {}
    for _, s in ipairs(ds.splits) do
      local n, leaked = g.split_images[s] or 0, (g.leaked_images[s] or 0) + (pixel_only[s] or 0)
      leak_metrics[s] = { images = n, leaked = leaked, share = n > 0 and leaked / n or 0,
                          leaked_by_group = g.leaked_images[s] or 0, leaked_by_duplicate_only = pixel_only[s] or 0 }
      if s ~= ref and leaked > 0 then
        leak_parts[#leak_parts + 1] = string.format("%d of %d %s images (%s)", leaked, n, s, pct(leaked / n))
      end
    end

    -- distribution_shift
    local stats = qc.split_stats()
    local shift_metrics = {}
    local function counts(st)
      local total, out = 0, {}
      for _, c in ipairs(ds.classes) do
        local row = st.classes[c.name]
        out[c.name] = row and row.instances or 0
        total = total + out[c.name]
      end
      return out, total
    end
    local shifted, compared = 0, 0
    local rs = stats[ref]
    for _, s in ipairs(eval) do
      local es = stats[s]
      local m = {}
      shift_metrics[s] = m
      if rs and es then
        local cr, nr = counts(rs)
        local ce, ne = counts(es)
        m.boxes = ne
        m.reference_boxes = nr
        if nr >= p.shift_min_boxes and ne >= p.shift_min_boxes then
          compared = compared + 1
          local tv, chi2, df, moves = 0, 0, -1, {}
          local pr, pe = {}, {}
          for _, c in ipairs(ds.classes) do
            local a, b = cr[c.name], ce[c.name]
            pr[c.name], pe[c.name] = a / nr, b / ne
            local d = pe[c.name] - pr[c.name]
            tv = tv + math.abs(d) / 2
            moves[#moves + 1] = { name = c.name, d = d }
            if a + b > 0 then
              -- 2 x k contingency table: expected counts from the pooled shares
              local pooled = (a + b) / (nr + ne)
              local ea, eb = pooled * nr, pooled * ne
              chi2 = chi2 + (a - ea) ^ 2 / ea + (b - eb) ^ 2 / eb
              df = df + 1
            end
          end
          table.sort(moves, function(x, y) return math.abs(x.d) > math.abs(y.d) end)
          local pvalue = chi2_sf(chi2, df)
          m.class_tv, m.chi2, m.df, m.p = tv, chi2, df, pvalue
          local biggest = moves[1] and math.abs(moves[1].d) * 100 or 0
          m.class_max_pp = biggest
          if tv >= p.shift_tv and biggest >= p.shift_min_pp and pvalue <= p.shift_max_p then
            local t = {}
            for k = 1, math.min(3, #moves) do
              local mv = moves[k]
              t[#t + 1] = string.format("%s %s vs %s", mv.name, pct(pe[mv.name]), pct(pr[mv.name]))
            end
            shifted = shifted + 1
            emit {
              kind = "distribution_shift", split = s, score = math.min(1, tv / (2 * p.shift_tv)),
              message = string.format("class shares in %s differ from %s: total variation %.2f >= %.2f (%s; chi-square p %.1g); val mAP will weight classes differently than training",
                s, ref, tv, p.shift_tv, table.concat(t, ", "), pvalue),
            }
          end
        else
          m.class_shares = string.format("not compared: fewer than %d boxes", p.shift_min_boxes)
        end
        -- box sizes, per class (so a class-share shift does not pose as a size shift)
        local odd = {}
        local worst = 0
        for _, c in ipairs(ds.classes) do
          local a, b = rs.classes[c.name], es.classes[c.name]
          if a and b and a.size_median and b.size_median and a.instances >= p.size_min_boxes
              and b.instances >= p.size_min_boxes and a.size_median > 0 and b.size_median > 0 then
            local ratio = b.size_median / a.size_median
            -- standard error of a log median from the quartiles: sigma ~ IQR / 1.349, SE ~ 1.2533 sigma / sqrt(n)
            local function se(row)
              local sigma = (row.size_p25 > 0 and row.size_p75 > 0) and math.log(row.size_p75 / row.size_p25) / 1.349 or 0
              return 1.2533 * sigma / math.sqrt(row.instances)
            end
            local z = math.abs(math.log(ratio)) / math.max(1e-9, math.sqrt(se(a) ^ 2 + se(b) ^ 2))
            if (ratio >= p.size_ratio or ratio <= 1 / p.size_ratio) and 2 * normal_sf(z) <= p.shift_max_p then
              odd[#odd + 1] = string.format("%s %.2fx", c.name, ratio)
              worst = math.max(worst, math.abs(math.log(ratio)))
            end
          end
        end
        m.size_shifted_classes = #odd
        if #odd > 0 then
          shifted = shifted + 1
          emit {
            kind = "distribution_shift", split = s, score = math.min(1, worst / (2 * math.log(p.size_ratio))),
            message = string.format("box sizes in %s differ from %s by >= %.2fx in median for %s",
              s, ref, p.size_ratio, table.concat(odd, ", ")),
          }
        end
      end
    end

    local parts = {}
    if #g.leaking == 0 then
      parts[#parts + 1] = string.format("no group spans two splits (%d groups over %d images)", g.groups, g.grouped_images)
    else
      local keys = {}
      for k = 1, math.min(3, #g.leaking) do keys[#keys + 1] = describe_key(g.leaking[k].key) end
      parts[#parts + 1] = string.format("%d group%s in several splits (%s%s)", #g.leaking, #g.leaking == 1 and "" or "s",
        table.concat(keys, ", "), #g.leaking > 3 and ", …" or "")
    end
    parts[#parts + 1] = cross == 0 and "no duplicate image across splits"
      or string.format("%d image%s duplicated across splits", cross, cross == 1 and "" or "s")
    if #leak_parts > 0 then
      parts[#parts + 1] = table.concat(leak_parts, ", ") .. " leak (same group or picture as another split)"
    end
    if shifted > 0 then
      parts[#parts + 1] = string.format("%d distribution shift%s", shifted, shifted == 1 and "" or "s")
    elseif #eval == 0 then
      parts[#parts + 1] = "one split: nothing to compare"
    elseif compared == 0 then
      parts[#parts + 1] = string.format("class shares not compared (fewer than %d boxes in a split); no clear size shift", p.shift_min_boxes)
    else
      parts[#parts + 1] = "no clear class or size shift"
    end
    return {
      message = table.concat(parts, "; ") .. " [checked: group_leak, cross_split_duplicate, distribution_shift]",
      metrics = { groups = g.groups, grouped_images = g.grouped_images, leaking_groups = #g.leaking,
                  cross_split_duplicates = cross,
                  reference_split = ref, splits = leak_metrics, shift = shift_metrics },
    }
  end,
}
