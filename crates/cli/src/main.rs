//! The `rampart` binary: parse arguments, run one job, map the outcome to an exit code.
//!
//! Exit codes: 0 success; 1 the job finished but some input was skipped as unreadable (the
//! rest was analysed); 2 the job could not run (bad arguments, config, unreadable spec or
//! input, store failure).

mod args;
mod commands;
mod data_dir;
mod progress;
mod render;
mod render_alerts;

use std::process::ExitCode;

use clap::Parser;

/// The allocator: the proxy and the analyzer make many small, short-lived allocations per
/// request, which mimalloc serves from thread-local free lists faster than the system
/// allocator (measured in docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How a job ended, for the exit code.
pub(crate) enum Outcome {
    /// Everything was read.
    Clean,
    /// Some records were skipped as unreadable.
    Skipped,
}

fn main() -> ExitCode {
    let args = args::Cli::parse();
    match commands::run(args) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Skipped) => ExitCode::from(1),
        Err(err) => {
            // A closed pipe (`rampart inventory | head`) is not an error.
            let broken_pipe = err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
                    || cause
                        .downcast_ref::<serde_json::Error>()
                        .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("rampart: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
