//! One module per job.

mod alerts;
mod analyze;
pub(crate) use analyze::Problems;
mod config;
mod control;
pub(crate) mod decisions;
mod demo;
mod dry_run;
mod eval;
mod eval_detect;
mod inventory;
pub(crate) mod proxy;
pub(crate) mod scan;
mod simulate;

use crate::args::{Cli, Command};
use crate::Outcome;

/// Runs the job the arguments name.
pub(crate) fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Analyze(a) => analyze::run(a),
        Command::Inventory(a) => inventory::run(a),
        Command::Alerts(a) => alerts::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Proxy(a) => proxy::run(a),
        Command::Decisions(c) => decisions::run(c),
        Command::Simulate(a) => simulate::run(a),
        Command::Eval(a) => eval::run(a),
        Command::EvalDetect(a) => eval_detect::run(a),
        Command::Config(c) => config::run(c),
        Command::Scan(a) => scan::run(*a),
    }
}
