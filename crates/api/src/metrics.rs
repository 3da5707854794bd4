//! A small writer of the Prometheus text exposition format, version 0.0.4.
//!
//! The caller builds [`crate::Control::metrics`] with it:
//!
//! ```
//! use rampart_api::{Histogram, MetricsWriter};
//!
//! let mut w = MetricsWriter::new();
//! w.counter("rampart_requests_total", "Requests seen, by method.")
//!     .sample(&[("method", "GET")], 12.0)
//!     .sample(&[("method", "POST")], 3.0);
//! w.gauge("rampart_decisions_active", "Decisions in force.").sample(&[], 2.0);
//! let mut latency = Histogram::new(&[0.01, 0.1, 1.0]);
//! latency.observe(0.05);
//! w.histogram("rampart_upstream_seconds", "Upstream latency.")
//!     .sample(&[("upstream", "api")], &latency);
//! let text = w.finish();
//! assert!(text.contains("rampart_requests_total{method=\"GET\"} 12\n"));
//! assert!(text.contains("rampart_upstream_seconds_bucket{upstream=\"api\",le=\"0.1\"} 1\n"));
//! ```
//!
//! Each family gets its `# HELP` and `# TYPE` lines once, with its samples together after
//! them, whatever order the samples were added in. Label values and help texts are escaped
//! as the format asks (`\` `"` and newline in label values; `\` and newline in help); a
//! character not allowed in a metric or label name becomes `_`. Asking again for a family
//! already written adds to it; asking for it with another type drops those samples (the
//! exposition would be invalid otherwise).

use std::fmt::Write as _;

/// The type of a metric family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
        }
    }
}

#[derive(Debug)]
struct FamilyText {
    name: String,
    kind: Kind,
    help: String,
    samples: String,
}

/// Builds one exposition; [`MetricsWriter::finish`] gives the text.
#[derive(Debug, Default)]
pub struct MetricsWriter {
    families: Vec<FamilyText>,
    discarded: String,
}

/// The samples of one counter or gauge family; from [`MetricsWriter::counter`] or
/// [`MetricsWriter::gauge`].
#[derive(Debug)]
pub struct Family<'w> {
    name: String,
    out: &'w mut String,
}

/// The samples of one histogram family; from [`MetricsWriter::histogram`].
#[derive(Debug)]
pub struct HistogramFamily<'w> {
    name: String,
    out: &'w mut String,
}

impl MetricsWriter {
    /// An empty exposition.
    pub fn new() -> Self {
        Self::default()
    }

    /// A counter family (a value that only goes up; by convention named `..._total`).
    pub fn counter(&mut self, name: &str, help: &str) -> Family<'_> {
        let (name, out) = self.family(name, help, Kind::Counter);
        Family { name, out }
    }

    /// A gauge family (a value that goes up and down).
    pub fn gauge(&mut self, name: &str, help: &str) -> Family<'_> {
        let (name, out) = self.family(name, help, Kind::Gauge);
        Family { name, out }
    }

    /// A histogram family (`_bucket`, `_sum` and `_count` series per label set).
    pub fn histogram(&mut self, name: &str, help: &str) -> HistogramFamily<'_> {
        let (name, out) = self.family(name, help, Kind::Histogram);
        HistogramFamily { name, out }
    }

    /// The exposition text, family by family in the order first asked for.
    pub fn finish(self) -> String {
        let mut text = String::new();
        for f in &self.families {
            let _ = writeln!(text, "# HELP {} {}", f.name, escape_help(&f.help));
            let _ = writeln!(text, "# TYPE {} {}", f.name, f.kind.name());
            text.push_str(&f.samples);
        }
        text
    }

    fn family(&mut self, name: &str, help: &str, kind: Kind) -> (String, &mut String) {
        let name = metric_name(name);
        let index = match self.families.iter().position(|f| f.name == name) {
            Some(i) if self.families[i].kind == kind => i,
            Some(_) => {
                self.discarded.clear();
                return (name, &mut self.discarded);
            }
            None => {
                self.families.push(FamilyText {
                    name: name.clone(),
                    kind,
                    help: help.to_owned(),
                    samples: String::new(),
                });
                self.families.len() - 1
            }
        };
        (name, &mut self.families[index].samples)
    }
}

impl Family<'_> {
    /// One sample: the value for this set of labels (`&[]` for none).
    pub fn sample(&mut self, labels: &[(&str, &str)], value: f64) -> &mut Self {
        write_series(self.out, &self.name, "", labels, None, value);
        self
    }
}

impl HistogramFamily<'_> {
    /// The series of one histogram for this set of labels (a label named `le` is dropped:
    /// the buckets use it).
    pub fn sample(&mut self, labels: &[(&str, &str)], histogram: &Histogram) -> &mut Self {
        let labels: Vec<(&str, &str)> =
            labels.iter().copied().filter(|(k, _)| *k != "le").collect();
        let mut cumulative = 0u64;
        for (bound, n) in histogram.bounds.iter().zip(&histogram.counts) {
            cumulative = cumulative.saturating_add(*n);
            let le = format_value(*bound);
            write_series(
                self.out,
                &self.name,
                "_bucket",
                &labels,
                Some(&le),
                cumulative as f64,
            );
        }
        write_series(
            self.out,
            &self.name,
            "_bucket",
            &labels,
            Some("+Inf"),
            histogram.count as f64,
        );
        write_series(self.out, &self.name, "_sum", &labels, None, histogram.sum);
        write_series(
            self.out,
            &self.name,
            "_count",
            &labels,
            None,
            histogram.count as f64,
        );
        self
    }
}

/// A histogram of observations over fixed upper bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    bounds: Vec<f64>,
    /// Observations per bucket (not cumulative), one per bound.
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    /// An empty histogram with these upper bounds (sorted, deduplicated; non-finite ones
    /// dropped: `+Inf` is always there).
    pub fn new(bounds: &[f64]) -> Self {
        let mut bounds: Vec<f64> = bounds.iter().copied().filter(|b| b.is_finite()).collect();
        bounds.sort_by(f64::total_cmp);
        bounds.dedup();
        Self {
            counts: vec![0; bounds.len()],
            bounds,
            sum: 0.0,
            count: 0,
        }
    }

    /// A histogram from counts kept elsewhere: `counts[i]` observations fell at or below
    /// `bounds[i]` and above the bound before it, `above` beyond the last, totalling `sum`.
    /// Bounds must be sorted and finite; extra bounds or counts are ignored.
    pub fn from_counts(bounds: &[f64], counts: &[u64], above: u64, sum: f64) -> Self {
        let n = bounds.len().min(counts.len());
        let count = counts[..n]
            .iter()
            .fold(above, |acc, c| acc.saturating_add(*c));
        Self {
            bounds: bounds[..n].to_vec(),
            counts: counts[..n].to_vec(),
            sum,
            count,
        }
    }

    /// Records one observation (NaN is ignored).
    pub fn observe(&mut self, value: f64) {
        if value.is_nan() {
            return;
        }
        if let Some(i) = self.bounds.iter().position(|b| value <= *b) {
            self.counts[i] += 1;
        }
        self.count += 1;
        self.sum += value;
    }

    /// Observations recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Sum of the observations.
    pub fn sum(&self) -> f64 {
        self.sum
    }
}

fn write_series(
    out: &mut String,
    name: &str,
    suffix: &str,
    labels: &[(&str, &str)],
    le: Option<&str>,
    value: f64,
) {
    out.push_str(name);
    out.push_str(suffix);
    if !labels.is_empty() || le.is_some() {
        out.push('{');
        let mut first = true;
        for (k, v) in labels.iter().copied().chain(le.map(|le| ("le", le))) {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&label_name(k));
            out.push_str("=\"");
            out.push_str(&escape_label_value(v));
            out.push('"');
        }
        out.push('}');
    }
    out.push(' ');
    out.push_str(&format_value(value));
    out.push('\n');
}

/// A value as the format writes it: `+Inf`, `-Inf`, `NaN`, or the shortest decimal.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        v.to_string()
    }
}

/// A label value escaped: `\` as `\\`, `"` as `\"`, newline as `\n`.
pub fn escape_label_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A help text escaped: `\` as `\\`, newline as `\n`.
fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

/// A metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`, other characters replaced by `_`.
fn metric_name(name: &str) -> String {
    sanitize(name, |c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// A label name: `[a-zA-Z_][a-zA-Z0-9_]*`, other characters replaced by `_`.
fn label_name(name: &str) -> String {
    sanitize(name, |c| c.is_ascii_alphanumeric() || c == '_')
}

fn sanitize(name: &str, allowed: impl Fn(char) -> bool) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if allowed(c) { c } else { '_' })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label_value(r"a\b"), r"a\\b");
        assert_eq!(escape_label_value("say \"hi\""), r#"say \"hi\""#);
        assert_eq!(escape_label_value("two\nlines"), r"two\nlines");
        assert_eq!(escape_label_value("plain é"), "plain é");
        let mut w = MetricsWriter::new();
        w.counter("c_total", "help")
            .sample(&[("path", "/a\"\\\n")], 1.0);
        assert!(
            w.finish().contains("c_total{path=\"/a\\\"\\\\\\n\"} 1\n"),
            "escaped"
        );
    }

    #[test]
    fn help_and_type_come_once_per_family() {
        let mut w = MetricsWriter::new();
        w.counter("a_total", "first\\line\nsecond").sample(&[], 1.0);
        w.gauge("g", "a gauge").sample(&[("k", "v")], -2.5);
        w.counter("a_total", "ignored").sample(&[("x", "y")], 3.0);
        let text = w.finish();
        assert_eq!(
            text,
            "# HELP a_total first\\\\line\\nsecond\n# TYPE a_total counter\na_total 1\n\
             a_total{x=\"y\"} 3\n# HELP g a gauge\n# TYPE g gauge\ng{k=\"v\"} -2.5\n"
        );
    }

    #[test]
    fn a_family_asked_with_another_type_is_dropped() {
        let mut w = MetricsWriter::new();
        w.counter("m", "h").sample(&[], 1.0);
        w.gauge("m", "h").sample(&[], 9.0);
        let text = w.finish();
        assert!(!text.contains(" 9"), "{text}");
        assert_eq!(text.matches("# TYPE").count(), 1);
    }

    #[test]
    fn histograms_are_cumulative_with_inf_sum_and_count() {
        let mut h = Histogram::new(&[1.0, 0.1, f64::INFINITY, 0.1]);
        for v in [0.05, 0.5, 2.0, f64::NAN] {
            h.observe(v);
        }
        assert_eq!(h.count(), 3);
        let mut w = MetricsWriter::new();
        w.histogram("lat_seconds", "latency")
            .sample(&[("le", "dropped"), ("route", "/x")], &h);
        let text = w.finish();
        let expected = "# HELP lat_seconds latency\n# TYPE lat_seconds histogram\n\
            lat_seconds_bucket{route=\"/x\",le=\"0.1\"} 1\n\
            lat_seconds_bucket{route=\"/x\",le=\"1\"} 2\n\
            lat_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n\
            lat_seconds_sum{route=\"/x\"} 2.55\n\
            lat_seconds_count{route=\"/x\"} 3\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn histograms_from_counts_kept_elsewhere() {
        let h = Histogram::from_counts(&[0.5, 1.0], &[2, 3], 1, 4.0);
        assert_eq!(h.count(), 6);
        let mut w = MetricsWriter::new();
        w.histogram("h", "x").sample(&[], &h);
        let text = w.finish();
        assert!(text.contains("h_bucket{le=\"1\"} 5\n"), "{text}");
        assert!(text.contains("h_bucket{le=\"+Inf\"} 6\n"), "{text}");
    }

    #[test]
    fn names_are_sanitized_and_values_formatted() {
        assert_eq!(
            metric_name("rampart.requests-total"),
            "rampart_requests_total"
        );
        assert_eq!(metric_name("9lives"), "_9lives");
        assert_eq!(metric_name("ns:sub_total"), "ns:sub_total");
        assert_eq!(label_name("a:b"), "a_b");
        assert_eq!(label_name(""), "_");
        assert_eq!(format_value(f64::INFINITY), "+Inf");
        assert_eq!(format_value(f64::NEG_INFINITY), "-Inf");
        assert_eq!(format_value(f64::NAN), "NaN");
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(0.25), "0.25");
    }
}
