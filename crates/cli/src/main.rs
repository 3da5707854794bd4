//! The `rampart` binary.
fn main() {}
