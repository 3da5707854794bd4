//! [`Merge`]: state that two shards, or two machines, can combine.
//!
//! Every per-entity state and sketch of the detectors merges: counts add, distinct-count
//! sketches take the larger register, filters take the union, running moments combine by
//! Chan's formula, windows keep the one in effect. Merging the state two shards built from
//! two halves of a stream gives the state one shard builds from the whole stream (exactly for
//! counts and sketches; windows and first-seen times as of the later shard).

/// State that folds another of its kind in.
pub trait Merge {
    /// Folds `other` in, as if this state had also seen what `other` saw.
    fn merge(&mut self, other: &Self);
}
