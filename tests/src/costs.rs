//! `--costs FILE`: a cost model ([`CostModel`]) as JSON, the object a
//! scenario's `costs` holds and `memcg calibrate` prints (docs/model.md
//! §18.2). Checked as a scenario's costs are ([`CostModel::validate`]),
//! and stricter where a file typed by hand needs it: an unknown field, a
//! value that is not a whole number of ns or a document that is not an
//! object is refused with the field named.

use memcg::lru::CostModel;

/// Largest `--costs` file read (a cost model is a few hundred bytes).
pub const MAX_COSTS_FILE: u64 = 64 << 10;

/// The field names of [`CostModel`], in its order.
pub fn fields() -> Vec<String> {
    match serde_json::to_value(CostModel::default()) {
        Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The cost model `text` gives: fields left out take their defaults.
pub fn parse(text: &str) -> Result<CostModel, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let serde_json::Value::Object(map) = v else {
        return Err(String::from(
            "expected a JSON object of per-page costs in ns, e.g. {\"fault_ns\": 500}",
        ));
    };
    let known = fields();
    for (k, v) in &map {
        if !known.contains(k) {
            return Err(format!(
                "unknown field '{k}' (the fields: {})",
                known.join(", ")
            ));
        }
        if v.as_u64().is_none() {
            return Err(format!(
                "{k} must be a whole number of ns (0 to 2^64 - 1), not {v}"
            ));
        }
    }
    let c: CostModel = serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| format!("not a cost model: {e}"))?;
    c.validate().map_err(String::from)?;
    Ok(c)
}

/// The cost model in file `path`, or why not (the path first).
pub fn load(path: &str) -> Result<CostModel, String> {
    let why = |e: String| format!("--costs {path}: {e}");
    let len = std::fs::metadata(path)
        .map_err(|e| why(e.to_string()))?
        .len();
    if len > MAX_COSTS_FILE {
        return Err(why(format!(
            "the file is {len} bytes; at most {MAX_COSTS_FILE} are accepted"
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| why(e.to_string()))?;
    parse(&text).map_err(why)
}

/// `c` as the one-line JSON object `--costs` and a scenario's `costs`
/// take, every field given.
pub fn to_json(c: &CostModel) -> String {
    serde_json::to_string(c).unwrap_or_default()
}
