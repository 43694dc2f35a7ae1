import QCCore

/// The commented `qcpass.lua` that `qcpass init` writes: DESIGN.md's shape, every param
/// of the loaded pack at its default, so a project sees every knob it can turn.
public enum ConfigTemplate {
    public static func render(pack: RulePack) throws(EngineError) -> String {
        var out = """
        -- qcpass project config: every param below is at its default. Change what your
        -- project needs and delete the rest; `qcpass rules` lists the checks, and
        -- docs/rule-pack.md explains rules, severities and exceptions.
        return {
          params = {

        """
        let audit = try RuleCatalog.auditDefinition(pack: pack).map { [$0] } ?? []
        let fix = try RuleCatalog.fixDefinition(pack: pack).map { [$0] } ?? []
        for d in try RuleCatalog.definitions(pack: pack) + audit + fix where !d.params.isEmpty {
            out += "    -- \(d.title): \(d.description)\n"
            out += "    \(d.id) = {\n"
            for (name, value) in d.params {
                out += "      \(name) = \(RuleCatalog.literal(value)),\n"
            }
            out += "    },\n"
        }
        out += """
          },

          -- Per check, a kind's severity: "info" | "warning" | "error".
          severity = {
            -- box_fit = { tiny_box = "info" },
          },

          -- Check ids or finding kinds that are not run or reported.
          disabled = {
            -- "duplicates",
          },

          -- A documented exception turns a failing check into `exception` in every output.
          -- Scope it by kinds and classes; after `expires` it stops applying and warns.
          exceptions = {
            -- class_balance = { reason = "pallet ~2.5x lower; not collecting this round",
            --                   kinds = { "rare_class" }, classes = { "pallet" }, expires = "2027-03-01" },
          },

          -- The key that must not span two splits (split_leakage, and `qcpass split`).
          -- `img.default_group` is qcpass's default: metadata.csv's scene, else camera|day,
          -- else EXIF model + date, else a run of numbered video frames. Return nil for
          -- "this image is its own group".
          group_key = function(img)
            return img.meta.scene or img.default_group
          end,

          -- Extra rule files, relative to this file; see qcpass_rules/edge_cases.lua.
          rules = {
            -- "qcpass_rules/edge_cases.lua",
          },
        }

        """
        return out
    }

    /// The example edge-case rule `qcpass init` writes beside the config.
    public static let edgeCaseRule = """
    -- An edge case from a labelling spec, as a rule: a person box that covers most of a
    -- forklift box is usually the driver labelled as the vehicle, or the reverse.
    -- Enable it in qcpass.lua (`rules = { "qcpass_rules/edge_cases.lua" }`) and adapt
    -- the class names to your dataset.
    return {
      id = "edge_cases",
      title = "Edge cases from the labelling spec",
      description = "A person box must not cover more than max_coverage of a forklift box.",
      params = { outer = "forklift", inner = "person", max_coverage = 0.8 },
      run = function(ds, p, emit)
        local checked = 0
        for i = 1, qc.image_count() do
          local img = qc.image(i)
          for _, a in ipairs(img.boxes) do
            if a.class == p.outer then
              checked = checked + 1
              for _, b in ipairs(img.boxes) do
                local covered = b.class == p.inner and qc.geom.coverage(a, b) or 0
                if covered > p.max_coverage then
                  emit { kind = "edge_case", image = img, box = b, score = covered,
                         message = string.format("a %s box covers %.0f%% of a %s box (limit %.0f%%)",
                           p.inner, covered * 100, p.outer, p.max_coverage * 100) }
                end
              end
            end
          end
        end
        return { message = string.format("%d %s boxes checked", checked, p.outer) }
      end,
    }

    """
}
