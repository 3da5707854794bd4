//! Hot reload: the current policy behind a lock that readers hold only to clone an `Arc`.

use std::sync::{Arc, RwLock};

use super::{Policy, PolicyProblem};

/// The policy in force, swappable while requests are being judged.
///
/// Readers take [`PolicyHandle::current`] once per request and keep the `Arc`; a reload swaps
/// the pointer. A reload whose text fails validation changes nothing and returns the problems.
/// Rate-limit state lives in the [`crate::RateLimiter`], keyed by rule name, so it survives a
/// reload for every rule that keeps its name.
#[derive(Debug, Default)]
pub struct PolicyHandle {
    current: RwLock<Arc<Policy>>,
}

impl PolicyHandle {
    /// A handle holding `policy`.
    pub fn new(policy: Policy) -> Self {
        Self {
            current: RwLock::new(Arc::new(policy)),
        }
    }

    /// The policy in force.
    pub fn current(&self) -> Arc<Policy> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Puts `policy` in force and returns the one it replaces.
    pub fn replace(&self, policy: Policy) -> Arc<Policy> {
        let new = Arc::new(policy);
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        std::mem::replace(&mut *guard, new)
    }

    /// Reads `text` and, when it is valid, puts it in force and returns it. When it is not,
    /// the policy in force stays and the problems are returned.
    pub fn reload(&self, text: &str, source: &str) -> Result<Arc<Policy>, Vec<PolicyProblem>> {
        let policy = Policy::from_yaml(text, source)?;
        self.replace(policy);
        Ok(self.current())
    }
}
