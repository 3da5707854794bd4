//! Skewed choice over ranked items: a few hot, a long tail.

use rand::Rng;

/// Samples ranks `0..n` with weight `1 / (rank + 1)^exponent`.
#[derive(Debug, Clone)]
pub(crate) struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    /// A sampler over `n` ranks (at least one).
    pub(crate) fn new(n: usize, exponent: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..n.max(1))
            .map(|rank| {
                total += 1.0 / ((rank + 1) as f64).powf(exponent);
                total
            })
            .collect();
        Self { cumulative }
    }

    /// A sampler over explicit non-negative weights (at least one rank).
    pub(crate) fn from_weights(weights: &[f64]) -> Self {
        let mut total = 0.0;
        let mut cumulative: Vec<f64> = weights
            .iter()
            .map(|w| {
                total += if w.is_finite() && *w > 0.0 { *w } else { 0.0 };
                total
            })
            .collect();
        if cumulative.is_empty() || total <= 0.0 {
            cumulative = vec![1.0; weights.len().max(1)];
        }
        Self { cumulative }
    }

    /// One rank.
    pub(crate) fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = rng.random::<f64>() * total;
        self.cumulative
            .partition_point(|c| *c <= x)
            .min(self.cumulative.len().saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::SmallRng, SeedableRng};

    #[test]
    fn first_rank_is_hottest_and_all_ranks_in_range() {
        let zipf = Zipf::new(50, 1.2);
        let mut rng = SmallRng::seed_from_u64(1);
        let mut counts = [0u32; 50];
        for _ in 0..20_000 {
            let r = zipf.sample(&mut rng);
            counts[r] += 1;
        }
        assert!(counts[0] > counts[10] * 5, "{counts:?}");
        assert!(counts[0] > 4_000);
    }
}
