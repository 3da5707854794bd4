//! Writes benchmark logs to standard output: `bench_logs combined|otel LINES CLIENTS [SEED]`.

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: bench_logs combined|otel LINES CLIENTS [SEED]";
    let (Some(format), Some(lines), Some(clients)) = (
        args.first(),
        args.get(1).and_then(|s| s.parse::<u64>().ok()),
        args.get(2).and_then(|s| s.parse::<u32>().ok()),
    ) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let result = match format.as_str() {
        "combined" => rampart_sim::write_bench_combined(&mut out, lines, clients, seed),
        "otel" => rampart_sim::write_bench_otel(&mut out, lines, clients, seed),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    if let Err(e) = result.and_then(|()| out.flush()) {
        eprintln!("bench_logs: {e}");
        std::process::exit(1);
    }
}
