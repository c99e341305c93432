//! A small JSON value and its pretty printer, enough for `summary.json`.
//!
//! Hand-written rather than `serde_json` so that the `sim` feature adds one dependency
//! (`sha2`), and so that the output is byte-for-byte stable: keys keep the order they were
//! inserted in, integers print exactly, and floats print with Rust's shortest round-trip
//! formatting, which is deterministic.

use core::fmt::Write;

/// A JSON value. Objects keep their keys in insertion order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Int(u64),
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// An object from `(key, value)` pairs.
    pub(crate) fn object<const N: usize>(fields: [(&str, Json); N]) -> Json {
        Json::Object(
            fields
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value))
                .collect(),
        )
    }

    pub(crate) fn str(text: impl Into<String>) -> Json {
        Json::Str(text.into())
    }

    /// `null` for `None`.
    pub(crate) fn int_or_null(value: Option<u64>) -> Json {
        value.map_or(Json::Null, Json::Int)
    }

    /// A metric printed as text by a report (`"-"` for missing): a number if it reads as
    /// one, `null` for `-`, the text otherwise.
    pub(crate) fn from_metric_text(text: &str) -> Json {
        if text == "-" {
            Json::Null
        } else if let Ok(int) = text.parse::<u64>() {
            Json::Int(int)
        } else if let Ok(float) = text.parse::<f64>() {
            Json::Float(float)
        } else {
            Json::str(text)
        }
    }

    /// Pretty-prints with two-space indentation and a final newline.
    pub(crate) fn to_pretty_string(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out.push('\n');
        out
    }

    fn write(&self, out: &mut String, depth: usize) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Json::Int(value) => {
                let _ = write!(out, "{value}");
            }
            // JSON has no NaN or infinity; the metrics never produce them, but stay valid.
            Json::Float(value) if !value.is_finite() => out.push_str("null"),
            Json::Float(value) => {
                let _ = write!(out, "{value:?}");
            }
            Json::Str(text) => write_string(out, text),
            Json::Array(items) if items.is_empty() => out.push_str("[]"),
            Json::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    out.push_str(if index == 0 { "\n" } else { ",\n" });
                    indent(out, depth + 1);
                    item.write(out, depth + 1);
                }
                out.push('\n');
                indent(out, depth);
                out.push(']');
            }
            Json::Object(fields) if fields.is_empty() => out.push_str("{}"),
            Json::Object(fields) => {
                out.push('{');
                for (index, (key, value)) in fields.iter().enumerate() {
                    out.push_str(if index == 0 { "\n" } else { ",\n" });
                    indent(out, depth + 1);
                    write_string(out, key);
                    out.push_str(": ");
                    value.write(out, depth + 1);
                }
                out.push('\n');
                indent(out, depth);
                out.push('}');
            }
        }
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            control if u32::from(control) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(control));
            }
            other => out.push(other),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_nested_values_with_escapes() {
        let value = Json::object([
            ("name", Json::str("a \"b\"\n")),
            (
                "list",
                Json::Array(vec![Json::Int(1), Json::Float(0.5), Json::Null]),
            ),
            ("empty", Json::Object(Vec::new())),
            ("flag", Json::Bool(true)),
        ]);
        assert_eq!(
            value.to_pretty_string(),
            concat!(
                "{\n",
                "  \"name\": \"a \\\"b\\\"\\n\",\n",
                "  \"list\": [\n    1,\n    0.5,\n    null\n  ],\n",
                "  \"empty\": {},\n",
                "  \"flag\": true\n",
                "}\n"
            )
        );
    }

    #[test]
    fn floats_always_read_as_floats() {
        assert_eq!(Json::Float(1.0).to_pretty_string(), "1.0\n");
        assert_eq!(Json::Float(f64::NAN).to_pretty_string(), "null\n");
    }

    #[test]
    fn metric_text_becomes_the_right_kind() {
        assert_eq!(Json::from_metric_text("-"), Json::Null);
        assert_eq!(Json::from_metric_text("12"), Json::Int(12));
        assert_eq!(Json::from_metric_text("0.250000"), Json::Float(0.25));
    }
}
