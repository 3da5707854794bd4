//! Lowering the scheduling priority of a background thread, so that the threads serving
//! requests win the CPU when both want it.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How the thread that feeds finished exchanges to the engine is scheduled.
///
/// In YAML: `idle`, or a niceness from 0 to 19.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InspectPriority {
    /// Linux `SCHED_IDLE`: the thread runs only on CPU time nothing else wants, and a request
    /// that becomes ready takes the CPU from it at once. Inspection never delays a request;
    /// under saturation it is shed.
    #[default]
    Idle,
    /// A niceness from 0 (the priority of requests) to 19: the thread gets a share of a busy
    /// CPU in proportion to its weight.
    Nice(i32),
}

impl InspectPriority {
    /// Whether the value is one the scheduler takes.
    pub fn is_valid(self) -> bool {
        match self {
            Self::Idle => true,
            Self::Nice(n) => (0..=19).contains(&n),
        }
    }
}

impl fmt::Display for InspectPriority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Idle => f.write_str("idle"),
            Self::Nice(n) => write!(f, "{n}"),
        }
    }
}

impl Serialize for InspectPriority {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Idle => s.serialize_str("idle"),
            Self::Nice(n) => s.serialize_i32(*n),
        }
    }
}

impl<'de> Deserialize<'de> for InspectPriority {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = InspectPriority;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`idle` or a niceness from 0 to 19")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                i32::try_from(v)
                    .map(InspectPriority::Nice)
                    .map_err(|_| E::custom(format!("{v} is not a niceness from 0 to 19")))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                i64::try_from(v)
                    .map_err(|_| E::custom(format!("{v} is not a niceness from 0 to 19")))
                    .and_then(|v| self.visit_i64(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                match v.trim() {
                    "idle" => Ok(InspectPriority::Idle),
                    other => other
                        .parse::<i32>()
                        .map(InspectPriority::Nice)
                        .map_err(|_| {
                            E::custom(format!(
                                "`{other}` is neither `idle` nor a niceness from 0 to 19"
                            ))
                        }),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Schedules the calling thread as `priority` says (Linux). Anything else, or a failure, is
/// logged and the thread runs at the default priority; `SCHED_IDLE` refused falls back to
/// niceness 19.
pub(crate) fn lower_this_thread(priority: InspectPriority) {
    #[cfg(target_os = "linux")]
    match priority {
        InspectPriority::Idle => {
            use thread_priority::unix::{
                set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy,
                ThreadSchedulePolicy,
            };
            let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
            if let Err(e) = set_thread_priority_and_policy(
                thread_native_id(),
                thread_priority::ThreadPriority::Min,
                idle,
            ) {
                tracing::warn!(
                    "could not schedule the inspection thread as idle ({e:?}); niceness 19 instead"
                );
                set_nice(19);
            }
        }
        InspectPriority::Nice(n) => set_nice(n),
    }
    #[cfg(not(target_os = "linux"))]
    tracing::debug!(%priority, "thread priorities are only set on Linux");
}

#[cfg(target_os = "linux")]
fn set_nice(nice: i32) {
    if nice == 0 {
        return;
    }
    let tid = rustix::thread::gettid();
    if let Err(e) = rustix::process::setpriority_process(Some(tid), nice) {
        tracing::warn!(
            nice,
            "could not lower the inspection thread's priority: {e}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn the_calling_thread_gets_the_niceness() {
        std::thread::spawn(|| {
            lower_this_thread(InspectPriority::Nice(7));
            let tid = rustix::thread::gettid();
            assert_eq!(rustix::process::getpriority_process(Some(tid)).unwrap(), 7);
        })
        .join()
        .unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_calling_thread_gets_the_idle_policy() {
        use thread_priority::unix::{
            thread_native_id, thread_schedule_policy, NormalThreadSchedulePolicy,
            ThreadSchedulePolicy,
        };
        std::thread::spawn(|| {
            let before = thread_schedule_policy().unwrap();
            assert_ne!(
                before,
                ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle)
            );
            lower_this_thread(InspectPriority::Idle);
            assert_eq!(
                thread_schedule_policy().unwrap(),
                ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle),
                "thread {:?}",
                thread_native_id()
            );
        })
        .join()
        .unwrap();
    }

    #[test]
    fn yaml_takes_idle_or_a_niceness() {
        let read = |s: &str| serde_saphyr::from_str::<InspectPriority>(s);
        assert_eq!(read("idle").unwrap(), InspectPriority::Idle);
        assert_eq!(read("10").unwrap(), InspectPriority::Nice(10));
        assert_eq!(read("0").unwrap(), InspectPriority::Nice(0));
        assert!(read("lowest").is_err());
        assert!(!InspectPriority::Nice(20).is_valid());
        assert!(!InspectPriority::Nice(-1).is_valid());
        assert!(InspectPriority::Idle.is_valid());
    }
}
