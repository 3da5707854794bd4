//! Templating settings (the `discover.templates` section of the config file).

use serde::{Deserialize, Serialize};

/// How concrete paths become templates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TemplateConfig {
    /// Distinct value-like literals needed under one position before they are merged into a
    /// parameter (`/users/alice`, `/users/bob`, ... → `/users/{name}`).
    pub min_distinct_values: usize,
    /// Most literal children kept under one position; past it, new literals become values and
    /// the position is reported as collapsed.
    pub max_children: usize,
    /// Most path nodes kept per run, all hosts together; past it, requests to unseen paths are
    /// counted as overflow on their deepest known ancestor.
    pub max_nodes: usize,
    /// Most path segments read from one path; deeper segments are folded into the last one.
    pub max_depth: usize,
    /// Templates that always win, before any spec: `"/users/{id}"` makes that position a
    /// parameter, `"/users/me"` keeps a literal static. `"GET /x"` restricts one to a method.
    pub pin: Vec<String>,
    /// Words that are always kept static wherever they appear, in addition to the built-in
    /// vocabulary (`me`, `search`, `export`, ...).
    pub static_words: Vec<String>,
}

impl Default for TemplateConfig {
    fn default() -> Self {
        Self {
            min_distinct_values: 6,
            max_children: 256,
            max_nodes: 200_000,
            max_depth: 24,
            pin: Vec::new(),
            static_words: Vec::new(),
        }
    }
}
