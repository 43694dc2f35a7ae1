-- Confidence floors that follow the model's calibration. A fixed floor such as 0.5
-- means "confident" for one detector and "noise" for an over-confident one (softmax
-- detectors put most of their false positives above 0.5). Predictions that confirm a
-- label (same class, IoU >= 0.5) show where this model's scores for real objects lie,
-- so a rule's floor rises to a low percentile of those: the same share of the model's
-- true detections clears it however the scores are scaled.
local M = {}

-- The floor to use: max(min_conf, the `percentile`-th percentile of confirmed
-- predictions' confidences rounded down to 0.01), and a phrase for messages when it
-- was raised.
-- percentile <= 0 keeps min_conf.
function M.floor(min_conf, percentile)
  if not percentile or percentile <= 0 then return min_conf, nil end
  local c = qc.calibration { iou = 0.5 }
  local q = c.conf and c.conf[math.min(100, math.floor(percentile + 0.5))]
  -- to two decimals (down), so the floor a message prints is the floor used
  q = q and math.floor(q * 100 + 1e-9) / 100
  if q and q > min_conf then
    return q, string.format("raised from %.2f to the model's p%g of confirmed detections", min_conf, percentile)
  end
  return min_conf, nil
end

-- A box's xyxy rounded to 0.01 px, for suggestions (findings' own boxes are rounded
-- by the writer; suggestions are free-form and written as given).
function M.xyxy(b)
  local out = {}
  for k = 1, 4 do out[k] = math.floor(b[k] * 100 + 0.5) / 100 end
  return out
end

return M
