//! `GET /api/v1/alerts?detector=&min_severity=&since=&limit=`: alerts, newest first.
//!
//! Every parameter is checked: an unknown or repeated one, a detector or severity outside the
//! known names, a time that is not RFC 3339 or a limit out of 1 to 1000 is a 400 naming the
//! parameter and what it accepts. An empty value means the parameter is not given.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use rampart_core::{EventTime, Severity};
use rampart_defend::KNOWN_DETECTORS;

use super::{bad, blocking, ok, AppState};
use crate::control::{AlertFilter, DEFAULT_ALERT_LIMIT, MAX_ALERT_LIMIT};
use crate::error::HttpError;
use crate::parse::{choose, shown};

const PARAMS: [&str; 4] = ["detector", "min_severity", "since", "limit"];
const SEVERITIES: [&str; 5] = ["info", "low", "medium", "high", "critical"];

pub(super) async fn alerts(
    State(state): State<Arc<AppState>>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, HttpError> {
    let Query(pairs) = query.map_err(|e| {
        HttpError::bad_field(
            "query",
            format!("the query string cannot be read: {e}"),
            "percent-encode the parameters, like ?since=2024-05-01T10%3A00%3A00Z",
        )
    })?;
    let filter = filter(&pairs)?;
    let limit = filter.limit;
    let mut alerts = blocking(&state, move |c| c.alerts(&filter))
        .await?
        .map_err(|e| HttpError::internal(format!("could not read the alerts: {e}")))?;
    alerts.truncate(limit);
    Ok(ok(&alerts))
}

/// The filter the query asks for.
fn filter(pairs: &[(String, String)]) -> Result<AlertFilter, HttpError> {
    let mut filter = AlertFilter::default();
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in pairs {
        let key = choose(key, "parameter", &PARAMS).map_err(|b| bad(key, b))?;
        if seen.contains(&key) {
            return Err(HttpError::bad_field(
                key,
                format!("`{key}` is given twice"),
                "give each parameter once",
            ));
        }
        seen.push(key);
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match key {
            "detector" => {
                let name = choose(value, "detector", &KNOWN_DETECTORS).map_err(|b| bad(key, b))?;
                filter.detector = Some(name.to_owned());
            }
            "min_severity" => {
                let name = choose(value, "severity", &SEVERITIES).map_err(|b| bad(key, b))?;
                filter.min_severity = Some(severity(name));
            }
            "since" => {
                let t = EventTime::parse_rfc3339(value).map_err(|e| {
                    HttpError::bad_field(
                        key,
                        format!("`{}` is not an RFC 3339 time: {e}", shown(value)),
                        "write a time like 2024-05-01T10:00:00Z",
                    )
                })?;
                filter.since = Some(t);
            }
            _ => {
                filter.limit = match value.parse::<usize>() {
                    Ok(n) if (1..=MAX_ALERT_LIMIT).contains(&n) => n,
                    _ => {
                        return Err(HttpError::bad_field(
                            key,
                            format!("`{}` is not a limit from 1 to {MAX_ALERT_LIMIT}", shown(value)),
                            format!("write a whole number from 1 to {MAX_ALERT_LIMIT} (default {DEFAULT_ALERT_LIMIT})"),
                        ))
                    }
                }
            }
        }
    }
    Ok(filter)
}

fn severity(name: &str) -> Severity {
    match name {
        "info" => Severity::Info,
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        _ => Severity::Critical,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Result<AlertFilter, HttpError> {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        filter(&owned)
    }

    #[test]
    fn reads_every_parameter() {
        let f = q(&[
            ("detector", "enumeration"),
            ("min_severity", "high"),
            ("since", "2024-05-01T10:00:00Z"),
            ("limit", "5"),
        ])
        .unwrap();
        assert_eq!(f.detector.as_deref(), Some("enumeration"));
        assert_eq!(f.min_severity, Some(Severity::High));
        assert_eq!(f.since.unwrap().as_unix_millis(), 1_714_557_600_000);
        assert_eq!(f.limit, 5);
        assert_eq!(q(&[("detector", "")]).unwrap(), AlertFilter::default());
    }

    #[test]
    fn severity_names_match_core() {
        for name in SEVERITIES {
            assert_eq!(severity(name).name(), name);
        }
    }

    #[test]
    fn bad_parameters_name_the_field() {
        for (pairs, field) in [
            (vec![("min_severity", "severe")], "min_severity"),
            (vec![("detector", "nope")], "detector"),
            (vec![("since", "yesterday")], "since"),
            (vec![("limit", "0")], "limit"),
            (vec![("limit", "1001")], "limit"),
            (vec![("lmit", "5")], "lmit"),
            (vec![("limit", "5"), ("limit", "6")], "limit"),
        ] {
            let e = q(&pairs).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{pairs:?}");
        }
        let e = q(&[("min_severity", "severe")]).unwrap_err();
        assert!(
            e.error.contains("info, low, medium, high, critical"),
            "{}",
            e.error
        );
    }
}
