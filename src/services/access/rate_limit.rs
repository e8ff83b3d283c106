//! Rate limits, kept in memory per instance: login attempts per client IP and per account, and requests
//! per principal.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Settings;

#[derive(Debug)]
pub struct RateLimits {
    login_per_ip: Option<DefaultKeyedRateLimiter<String>>,
    login_per_account: Option<DefaultKeyedRateLimiter<String>>,
    per_principal: Option<DefaultKeyedRateLimiter<uuid::Uuid>>,
    checks: AtomicU64,
}

/// Every this many checks, keys whose limits have fully recovered are dropped, so memory follows the
/// number of recently active clients rather than every client ever seen.
const SWEEP_EVERY: u64 = 10_000;

/// A limit that was hit, with how long until the next attempt may pass.
#[derive(Debug, Clone, Copy)]
pub struct Limited {
    pub retry_after_secs: u64,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(per_minute: u32) -> Option<DefaultKeyedRateLimiter<K>> {
    NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n)))
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &Option<DefaultKeyedRateLimiter<K>>,
    key: &K,
) -> Result<(), Limited> {
    let Some(limiter) = limiter else { return Ok(()) };
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        Limited {
            retry_after_secs: wait.as_secs() + 1,
        }
    })
}

impl RateLimits {
    pub fn new(settings: &Settings) -> Self {
        Self {
            login_per_ip: limiter(settings.rate_limit_login_per_ip),
            login_per_account: limiter(settings.rate_limit_login_per_account),
            per_principal: limiter(settings.rate_limit_per_principal),
            checks: AtomicU64::new(0),
        }
    }

    fn sweep_now_and_then(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY != SWEEP_EVERY - 1 {
            return;
        }
        for limiter in [&self.login_per_ip, &self.login_per_account]
            .into_iter()
            .flatten()
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Some(limiter) = &self.per_principal {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    pub fn login(&self, ip: Option<&str>, organization: &str, email: &str) -> Result<(), Limited> {
        self.sweep_now_and_then();
        if let Some(ip) = ip {
            check(&self.login_per_ip, &ip.to_owned())?;
        }
        check(
            &self.login_per_account,
            &format!("{organization}\u{0}{}", email.to_lowercase()),
        )
    }

    pub fn principal(&self, id: uuid::Uuid) -> Result<(), Limited> {
        self.sweep_now_and_then();
        check(&self.per_principal, &id)
    }
}
