//! `brute_force`: one address, one account, a password dictionary at about one guess a second
//! from a headless browser keeping its one session cookie, until a guess works.

use rand::Rng;
use serde_json::json;

use super::{label, AttackOut, Ctx};
use crate::scenario::acme::{Auth, WEB_HOST};
use crate::scenario::actor::Recorder;
use crate::scenario::agents::Agent;
use crate::scenario::catalog;
use crate::scenario::client::{url, Client};
use crate::scenario::config::{Plan, ScenarioName};
use crate::scenario::cookies::{new_sid, Jar};
use crate::scenario::net::HETZNER;
use crate::scenario::timing::lognormal;

pub(super) fn run(plan: &Plan, ctx: &mut Ctx<'_>) -> AttackOut {
    let name = ScenarioName::BruteForce;
    let mut rng = ctx.world.rng(name.name());
    let mut rec = Recorder::new(ctx.world, name.name(), label(name));
    let Some(ip) = ctx.alloc.take(&HETZNER) else {
        return AttackOut::new(vec![rec.finish()], &[]);
    };
    let victim = ctx.customers.any();
    let mut c = Client::new(ip, HETZNER.country, Agent::headless_chrome());
    c.jar = Some(Jar::single(new_sid(&mut rng)));
    let gap_ms = 900.0 / plan.scale.clamp(0.05, 20.0);
    let expected = (plan.len_ms() as f64 / gap_ms) as usize;
    // The right password comes late in the run (if the run lasts).
    let lucky = (expected * 9 / 10).max(1);
    let referer = url("/login.html");
    let mut t = plan.start_ms;
    let (mut tries, mut fails) = (0u64, 0u64);
    let mut cracked = false;
    for k in 0..expected.min(1_000_000) {
        let password = if k == lucky {
            catalog::password(victim)
        } else if let Some(p) = catalog::COMMON_PASSWORDS.get(k) {
            (*p).to_owned()
        } else {
            let words = [
                "Summer", "Winter", "Spring", "Autumn", "Acme", "Welcome", "Password", "Letmein",
            ];
            format!(
                "{}{}{}",
                words[k % words.len()],
                2000 + k % 27,
                ["", "!", "#", "1"][k / 7 % 4]
            )
        };
        let body = json!({"username": catalog::email(victim), "password": password});
        let Some(resp) =
            rec.send(c.api_post(t, WEB_HOST, "/api/v1/auth/login", &body, Some(&referer)))
        else {
            break;
        };
        tries += 1;
        if resp.ok() {
            if let (Some(jar), Some(sid)) = (c.jar.as_mut(), resp.sid) {
                jar.set_sid(sid);
            }
            c.auth = Auth::User(victim);
            let t2 = t + rng.random_range(300..1_500);
            rec.send(c.api_get(
                t2,
                WEB_HOST,
                &format!("/api/v1/users/{victim}"),
                Some(&url("/account.html")),
            ));
            rec.send(c.api_get(
                t2 + 400,
                WEB_HOST,
                &format!("/api/v1/users/{victim}/orders"),
                Some(&url("/account.html")),
            ));
            cracked = true;
            break;
        }
        fails += 1;
        t += (lognormal(&mut rng, gap_ms, 0.2, gap_ms * 0.3, gap_ms * 5.0)) as i64;
    }
    AttackOut::new(
        vec![rec.finish()],
        &[
            ("guesses", tries as f64),
            ("failures", fails as f64),
            ("cracked", f64::from(u8::from(cracked))),
        ],
    )
}
