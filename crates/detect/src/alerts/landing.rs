//! Where the requests of an alert about a client fingerprint land.
//!
//! A bot kit rotating through residential addresses shares one fingerprint with the real users
//! of the same browser build, and goes wherever its job takes it; what gives it away is where
//! its flagged requests concentrate: the product page of a launch, the login of a campaign. The
//! alert names the endpoint that takes at least half of them, so that a policy can stop the
//! fingerprint there (`within: endpoint`) and leave the real users of that browser alone
//! everywhere else.
//!
//! Counting is Misra–Gries over [`SLOTS`] endpoints: 52 bytes whatever the traffic, and an
//! endpoint's count never exceeds its true share, so an endpoint is named only when it really
//! takes half of the requests.

/// Endpoints counted at once.
const SLOTS: usize = 4;
/// Fewest requests before an endpoint is named: a handful could all land anywhere.
pub(super) const MIN_REQUESTS: u32 = 10;
/// Share of the requests the named endpoint takes, at least.
pub(super) const MIN_SHARE: f64 = 0.5;

/// The endpoints an alert's requests went to (by endpoint key), and the one it names.
#[derive(Debug, Clone, Default)]
pub(super) struct Landing {
    /// (endpoint key, count); a count of 0 is a free slot.
    slots: [(u64, u32); SLOTS],
    total: u32,
    named: Option<u64>,
}

/// What the alert should name after one more request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Named {
    /// What it names now.
    Keep,
    /// This request's endpoint.
    This,
    /// No endpoint: none takes half of the requests any more.
    Nothing,
}

impl Landing {
    /// Counts one request to the endpoint `key`.
    pub(super) fn count(&mut self, key: u64) -> Named {
        self.total = self.total.saturating_add(1);
        if let Some(s) = self.slots.iter_mut().find(|s| s.1 > 0 && s.0 == key) {
            s.1 = s.1.saturating_add(1);
        } else if let Some(s) = self.slots.iter_mut().find(|s| s.1 == 0) {
            *s = (key, 1);
        } else {
            for s in &mut self.slots {
                s.1 -= 1;
            }
        }
        let held = self
            .slots
            .iter()
            .copied()
            .max_by_key(|s| s.1)
            .filter(|&(_, n)| {
                self.total >= MIN_REQUESTS && f64::from(n) >= MIN_SHARE * f64::from(self.total)
            });
        match held {
            Some((k, _)) if self.named == Some(k) => Named::Keep,
            Some((k, _)) if k == key => {
                self.named = Some(k);
                Named::This
            }
            // Another endpoint took over: it is named on its next request.
            Some(_) => Named::Keep,
            None if self.named.is_some() => {
                self.named = None;
                Named::Nothing
            }
            None => Named::Keep,
        }
    }

    /// The share of the requests the named endpoint took, at least (0 when none is named).
    pub(super) fn share(&self) -> f64 {
        let Some(named) = self.named else {
            return 0.0;
        };
        let n = self
            .slots
            .iter()
            .find(|s| s.1 > 0 && s.0 == named)
            .map_or(0, |s| s.1);
        f64::from(n) / f64::from(self.total.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_taking_half_the_requests_is_named() {
        let mut l = Landing::default();
        // A product page hit by every bot task, among checkouts and page views.
        let mut named = Vec::new();
        for i in 0..40u64 {
            let key = if i % 3 == 2 { 100 + i } else { 7 };
            named.push((key, l.count(key)));
        }
        let first = named.iter().position(|(_, n)| *n == Named::This).unwrap();
        assert_eq!(named[first].0, 7);
        assert!(first + 1 >= MIN_REQUESTS as usize);
        assert!(named[first + 1..].iter().all(|(_, n)| *n == Named::Keep));
        assert!(
            l.share() >= 0.5 && l.share() <= 27.0 / 40.0,
            "{}",
            l.share()
        );
    }

    #[test]
    fn traffic_spread_over_many_endpoints_names_none() {
        let mut l = Landing::default();
        for i in 0..1000u64 {
            assert_eq!(l.count(i % 5), Named::Keep);
        }
        assert_eq!(l.share(), 0.0);
    }

    #[test]
    fn the_name_goes_when_the_traffic_moves_on() {
        let mut l = Landing::default();
        for _ in 0..20 {
            l.count(1);
        }
        assert!(l.share() > 0.9);
        let mut went = false;
        for i in 0..200u64 {
            went |= l.count(1000 + i) == Named::Nothing;
        }
        assert!(went);
        assert_eq!(l.share(), 0.0);
        // A new concentration is named again.
        let mut back = false;
        for _ in 0..400 {
            back |= l.count(2) == Named::This;
        }
        assert!(back);
    }
}
