//! Lowering the scheduling priority of a background thread, so that the threads serving
//! requests win the CPU when both want it.

/// Sets the niceness of the calling thread (Linux: `setpriority` on the thread id). Anything
/// else, or a failure, is logged and the thread runs at the default priority.
pub(crate) fn lower_this_thread(nice: i32) {
    if nice == 0 {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let tid = rustix::thread::gettid();
        if let Err(e) = rustix::process::setpriority_process(Some(tid), nice) {
            tracing::warn!(
                nice,
                "could not lower the inspection thread's priority: {e}"
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    tracing::debug!(nice, "thread priorities are only set on Linux");
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn the_calling_thread_gets_the_niceness() {
        std::thread::spawn(|| {
            super::lower_this_thread(7);
            let tid = rustix::thread::gettid();
            assert_eq!(rustix::process::getpriority_process(Some(tid)).unwrap(), 7);
        })
        .join()
        .unwrap();
    }
}
