//! Sensitive data seen on an endpoint, by class: where, how often, and one redacted example.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::classify::Finding;

thread_local! {
    static LOCATION: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Request or response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// In what the client sent.
    Request,
    /// In what the API answered.
    Response,
}

/// One sensitive class on one endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitiveFacts {
    /// Occurrences in requests.
    pub in_request: u64,
    /// Occurrences in responses.
    pub in_response: u64,
    /// Where it was found (`response body user.email`, `request query ssn`), capped.
    pub locations: BTreeSet<String>,
    /// A redacted example; never the value.
    pub example: String,
}

impl SensitiveFacts {
    /// Records one finding.
    pub fn add(&mut self, f: &Finding, side: Side, place: &str, max_locations: usize) {
        let side_name = match side {
            Side::Request => {
                self.in_request += 1;
                "request"
            }
            Side::Response => {
                self.in_response += 1;
                "response"
            }
        };
        if self.example.is_empty() {
            self.example = f.redacted.chars().take(64).collect();
        }
        if self.locations.len() < max_locations {
            // Built in a buffer kept per thread: the location is usually known already.
            LOCATION.with(|buf| {
                let mut loc = buf.borrow_mut();
                loc.clear();
                loc.push_str(side_name);
                loc.push(' ');
                loc.push_str(place);
                let field = f.field.as_deref().unwrap_or("");
                if !field.is_empty() {
                    loc.push(' ');
                    if field.len() <= 64 {
                        loc.push_str(field);
                    } else {
                        loc.extend(field.chars().take(64));
                    }
                }
                if !self.locations.contains(loc.as_str()) {
                    self.locations.insert(loc.clone());
                }
            });
        }
    }

    /// Adds another's counts.
    pub fn merge(&mut self, other: &SensitiveFacts) {
        self.in_request += other.in_request;
        self.in_response += other.in_response;
        for l in &other.locations {
            if self.locations.len() >= 16 {
                break;
            }
            self.locations.insert(l.clone());
        }
        if self.example.is_empty() {
            self.example = other.example.clone();
        }
    }
}
