-- An edge-case rule a forklift project adds to the default pack: a person box that
-- covers most of a forklift box is almost always a mislabel (the annotator boxed the
-- driver as the forklift, or the forklift as a person) — or a real edge case worth a
-- look (someone standing in front of a parked forklift).
--
-- Used from a project's qcpass.lua (`rules = { "rules/forklift_person.lua" }`, see
-- ../qcpass.lua) or with `qcpass check DATASET --rules samples/edge_cases/rules`.
-- The pair search is native (`qc.box_pairs`): no per-box loop in Lua, so it costs the
-- same on 60 images as on 100,000.
return {
  id = "forklift_person",
  title = "Person covering a forklift",
  description = "A forklift box must not contain a person box covering more than 80% of it.",
  params = {
    max_coverage = 0.8,   -- share of the forklift box a person box may cover
    forklift = "forklift", -- class names, for datasets that call them otherwise
    person = "person",
  },
  examples = {
    { dataset = "samples/clean_yolo", config = "samples/edge_cases/qcpass.lua", expect = { status = "pass", findings = 0 } },
    { dataset = "samples/yolo_forklift", config = "samples/edge_cases/qcpass.lua", expect = { status = "pass", findings = 0 } },
  },
  run = function(ds, p, emit)
    local known = {}
    for _, c in ipairs(ds.classes) do known[c.name] = true end
    if not known[p.forklift] or not known[p.person] then
      return { status = "skipped", message = string.format("the dataset has no %s or no %s class", p.forklift, p.person) }
    end
    local pairs = qc.box_pairs { a = p.forklift, b = p.person, min_coverage = p.max_coverage }
    local n = 0
    for _, pair in ipairs(pairs) do
      if pair.coverage > p.max_coverage then
        n = n + 1
        emit {
          kind = "person_covers_forklift", image = pair.image, box = pair.b, score = pair.coverage,
          message = string.format("a %s box covers %.0f%% of the %s box %s (more than %.0f%%): mislabel or an edge case to review",
            p.person, pair.coverage * 100, p.forklift, pair.a.ref or "", p.max_coverage * 100),
        }
      end
    end
    return { message = string.format("%d %s box%s covered more than %.0f%% by a %s box", n, p.forklift,
      n == 1 and "" or "es", p.max_coverage * 100, p.person) }
  end,
}
