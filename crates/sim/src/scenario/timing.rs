//! Random durations: human think times (log-normal), exponential gaps and jitter.

use rand::rngs::SmallRng;
use rand::Rng;

/// A standard normal draw (Box–Muller).
pub(crate) fn normal(rng: &mut SmallRng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A log-normal draw with the given median and shape, clamped to `[lo, hi]`.
pub(crate) fn lognormal(rng: &mut SmallRng, median: f64, sigma: f64, lo: f64, hi: f64) -> f64 {
    (median * (sigma * normal(rng)).exp()).clamp(lo, hi)
}

/// Milliseconds a person thinks between pages: median 20 s, from 2 s to 10 min.
pub(crate) fn think_ms(rng: &mut SmallRng) -> i64 {
    (lognormal(rng, 20.0, 1.0, 2.0, 600.0) * 1000.0) as i64
}

/// An exponential gap with the given mean, in milliseconds (at least 1).
pub(crate) fn exp_ms(rng: &mut SmallRng, mean_ms: f64) -> i64 {
    let u: f64 = rng.random::<f64>().max(1e-12);
    ((-u.ln() * mean_ms) as i64).max(1)
}

/// Uniform milliseconds in `[lo, hi)`.
pub(crate) fn between(rng: &mut SmallRng, lo: i64, hi: i64) -> i64 {
    if hi > lo {
        rng.random_range(lo..hi)
    } else {
        lo
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn think_times_are_human() {
        let mut rng = SmallRng::seed_from_u64(9);
        let mut v: Vec<i64> = (0..2001).map(|_| think_ms(&mut rng)).collect();
        v.sort_unstable();
        let median = v[1000];
        assert!((14_000..28_000).contains(&median), "{median}");
        assert!(v[0] >= 2_000 && v[2000] <= 600_000);
    }
}
