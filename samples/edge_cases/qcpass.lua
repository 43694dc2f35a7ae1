-- A project config that adds the edge-case rule in rules/ to the default pack. Paths in
-- `rules` are relative to this file. Run:
--   qcpass check samples/yolo_forklift --config samples/edge_cases/qcpass.lua
return {
  params = { forklift_person = { max_coverage = 0.8 } },
  rules = { "rules/forklift_person.lua" },
}
