//! Scores detection alerts against a simulation's truth and prints the Markdown tables.
//!
//! ```sh
//! rampart simulate --scenario all --out acme.jsonl --truth truth.json
//! echo "hash_key_file: sim.key" > sim.yaml   # a key file of 64 hex digits
//! rampart analyze acme.jsonl --no-store --config sim.yaml --alerts alerts.jsonl
//! cargo run -p rampart-sim --example score_alerts -- truth.json alerts.jsonl sim.key
//! ```
//!
//! Without a key file, sessions cannot be matched and only addresses count.

use std::io::BufRead;

use rampart_core::{Alert, KeyedHasher};
use rampart_sim::scenario::{score_detection, ScenarioTruth};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(truth), Some(alerts)) = (args.first(), args.get(1)) else {
        eprintln!("usage: score_alerts TRUTH.json ALERTS.jsonl [KEY_FILE]");
        std::process::exit(2);
    };
    let truth: ScenarioTruth =
        serde_json::from_reader(std::io::BufReader::new(std::fs::File::open(truth)?))?;
    let mut list: Vec<Alert> = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(alerts)?).lines() {
        let line = line?;
        if !line.trim().is_empty() {
            list.push(serde_json::from_str(&line)?);
        }
    }
    let mut key = [0u8; 32];
    if let Some(path) = args.get(2) {
        let hex = std::fs::read_to_string(path)?;
        let hex = hex.trim();
        for (i, b) in key.iter_mut().enumerate() {
            *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2).ok_or("key: 64 hex digits")?, 16)?;
        }
    }
    let score = score_detection(&list, &truth, &KeyedHasher::new(key));
    print!("{}", score.to_markdown(25));
    Ok(())
}
