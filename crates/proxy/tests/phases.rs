//! The phase hook: verdicts, failing open, and the record `on_done` receives.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use http::{HeaderValue, Request, StatusCode};
use http_body_util::BodyExt;
use rampart_proxy::{
    Completed, DelayGuard, FailMode, HookError, Outcome, Phases, RequestCtx, Verdict,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_hook_does_not_break_the_request() {
    bounded(async {
        let up = fixed("through").await;
        let (hook, done) = Recorder::with_head(|_, req| {
            if req.uri.path() == "/boom" {
                panic!("hook bug");
            }
            Err("engine unavailable".into())
        });
        let proxy = start(config(&[up.addr]), hook).await;
        for path in ["/boom", "/err"] {
            let (status, _, body) = get(&proxy.url(path)).await;
            assert_eq!(
                (status, body.as_str()),
                (StatusCode::OK, "through"),
                "{path}"
            );
        }
        assert_eq!(proxy.proxy.stats().hook_failures, 2);
        // The records still arrive.
        let (_, a) = next_done(&done).await;
        let (_, b) = next_done(&done).await;
        assert_eq!((a.outcome, b.outcome), (Outcome::Proxied, Outcome::Proxied));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_hook_refuses_when_failing_closed() {
    bounded(async {
        let up = fixed("through").await;
        let (hook, _done) = Recorder::with_head(|_, _| panic!("hook bug"));
        let mut cfg = config(&[up.addr]);
        cfg.on_hook_error = FailMode::Closed;
        let proxy = start(cfg, hook).await;
        let (status, _, _) = get(&proxy.url("/")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(up.requests(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_respond_verdict_blocks_before_the_upstream() {
    bounded(async {
        let up = fixed("secret").await;
        let (hook, done) = Recorder::with_head(|ctx, req| {
            assert!(ctx.route.is_some());
            Ok(if req.uri.path().starts_with("/admin") {
                Verdict::respond(StatusCode::FORBIDDEN, "blocked by policy\n")
            } else {
                Verdict::Continue
            })
        });
        let proxy = start(config(&[up.addr]), hook).await;
        let (status, headers, body) = get(&proxy.url("/admin/users")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body, "blocked by policy\n");
        assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
        assert_eq!(up.requests(), 0);
        let (_, record) = next_done(&done).await;
        assert_eq!(record.outcome, Outcome::Responded);
        assert_eq!(record.status, Some(StatusCode::FORBIDDEN));
        assert_eq!(record.response_body.bytes, b"blocked by policy\n");
        assert!(record.request_body.complete, "no body, nothing left unread");

        let req = Request::post(proxy.url("/admin/upload"))
            .body(full("unread"))
            .unwrap();
        let (status, _, _) = call(req).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, record) = next_done(&done).await;
        assert_eq!(record.request_body.size, 0);
        assert!(!record.request_body.complete, "the body was never read");

        let (status, _, body) = get(&proxy.url("/public")).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "secret"));
        assert_eq!(proxy.proxy.stats().responses_4xx, 2);
    })
    .await;
}

/// Sets a flag when dropped.
struct Permit(Arc<AtomicBool>);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delay_verdict_holds_the_request_then_forwards_it() {
    bounded(async {
        let released = Arc::new(AtomicBool::new(false));
        let seen_by_upstream = Arc::new(AtomicBool::new(false));
        let (r, s) = (released.clone(), seen_by_upstream.clone());
        let up = upstream(move |_| {
            // The permit is released when the delay ends, before the upstream is asked.
            s.store(r.load(Ordering::SeqCst), Ordering::SeqCst);
            async { text(StatusCode::OK, "late but fine") }
        })
        .await;
        let flag = released.clone();
        let (hook, _done) = Recorder::with_head(move |ctx, _| {
            ctx.delay_guard = Some(DelayGuard::new(Permit(flag.clone())));
            Ok(Verdict::Delay(Duration::from_millis(300)))
        });
        let proxy = start(config(&[up.addr]), hook).await;
        let started = Instant::now();
        let (status, _, body) = get(&proxy.url("/")).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "late but fine"));
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "{:?}",
            started.elapsed()
        );
        assert!(
            seen_by_upstream.load(Ordering::SeqCst),
            "permit released after the delay"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_verdict_is_429_with_retry_after() {
    bounded(async {
        let up = fixed("ok").await;
        let (hook, _done) =
            Recorder::with_head(|_, _| Ok(Verdict::rate_limited(Duration::from_secs(7))));
        let proxy = start(config(&[up.addr]), hook).await;
        let (status, headers, _) = get(&proxy.url("/")).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers["retry-after"], "7");
        assert_eq!(up.requests(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_done_receives_the_exchange_with_body_samples() {
    bounded(async {
        let up = upstream(|req| async move {
            let body = req.into_body().collect().await.unwrap().to_bytes();
            let mut resp = text(
                StatusCode::CREATED,
                &format!("{{\"echo\":{}}}", String::from_utf8_lossy(&body)),
            );
            resp.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            resp
        })
        .await;
        let (hook, done) = Recorder::new();
        let proxy = start(config(&[up.addr]), hook).await;
        let req = Request::post(proxy.url("/api/users/42?expand=orders&x="))
            .header("host", "API.Example.test:8443")
            .header("content-type", "application/json")
            .header("user-agent", "rampart-test/1")
            .header("x-forwarded-for", "9.9.9.9")
            .body(full(r#"{"name":"ann"}"#))
            .unwrap();
        let (status, _, _) = call(req).await;
        assert_eq!(status, StatusCode::CREATED);

        let (ctx, record) = next_done(&done).await;
        assert!(ctx.id >= 1);
        assert_eq!(ctx.route.as_ref().map(|r| &*r.upstream), Some("app"));
        assert_eq!(
            record.upstream_server.as_ref().map(|a| a.to_string()),
            Some(up.addr.to_string())
        );
        let ex = record.to_exchange();
        assert_eq!(ex.method, "POST");
        assert_eq!(ex.scheme.as_deref(), Some("http"));
        assert_eq!(ex.host.as_deref(), Some("api.example.test"));
        assert_eq!(ex.path, "/api/users/42");
        assert_eq!(ex.query.as_deref(), Some("expand=orders&x="));
        assert_eq!(ex.status, Some(201));
        assert_eq!(
            ex.client.unwrap().to_string(),
            "127.0.0.1",
            "untrusted XFF ignored"
        );
        assert_eq!(ex.user_agent(), Some("rampart-test/1"));
        assert_eq!(
            ex.request_headers.get("x-forwarded-for"),
            Some("9.9.9.9"),
            "as the client sent it"
        );
        let req_body = ex.request_body.as_ref().unwrap();
        assert_eq!(req_body.bytes, br#"{"name":"ann"}"#);
        assert!(!req_body.truncated);
        assert!(req_body.is_json());
        let resp_body = ex.response_body.as_ref().unwrap();
        assert_eq!(resp_body.bytes, br#"{"echo":{"name":"ann"}}"#);
        assert_eq!(ex.response_content_type(), Some("application/json"));
        assert_eq!(ex.request_size, Some(14));
        assert_eq!(ex.response_size, Some(23));
        assert!(ex.duration_ms.unwrap() > 0.0);
        assert!(ex.time.as_unix_millis() > 1_600_000_000_000);
    })
    .await;
}

/// A hook that keeps state in the context and edits the response head.
struct Tagger {
    done_calls: AtomicUsize,
    seen: Mutex<Vec<String>>,
}

#[derive(Clone)]
struct Tag(String);

impl Phases for Tagger {
    fn on_request_head(
        &self,
        ctx: &mut RequestCtx,
        req: &http::request::Parts,
    ) -> Result<Verdict, HookError> {
        ctx.extensions
            .insert(Tag(format!("req-{}", req.uri.path())));
        Ok(Verdict::Continue)
    }

    fn on_response_head(
        &self,
        ctx: &mut RequestCtx,
        resp: &mut http::response::Parts,
    ) -> Result<(), HookError> {
        let tag = ctx
            .extensions
            .get::<Tag>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        resp.headers
            .insert("x-rampart-tag", HeaderValue::from_str(&tag)?);
        Ok(())
    }

    fn on_done(&self, ctx: RequestCtx, _record: Completed) {
        let n = self.done_calls.fetch_add(1, Ordering::SeqCst);
        if n == 0 {
            panic!("the first on_done panics; later ones must still run");
        }
        let tag = ctx
            .extensions
            .get::<Tag>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        self.seen.lock().unwrap().push(tag);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn context_state_flows_between_phases_and_on_done_survives_a_panic() {
    bounded(async {
        let up = fixed("ok").await;
        let hook = Arc::new(Tagger {
            done_calls: AtomicUsize::new(0),
            seen: Mutex::new(Vec::new()),
        });
        let proxy = start(config(&[up.addr]), hook.clone()).await;
        for path in ["/one", "/two"] {
            let (status, headers, _) = get(&proxy.url(path)).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(headers["x-rampart-tag"], format!("req-{path}").as_str());
        }
        for _ in 0..500 {
            if hook.done_calls.load(Ordering::SeqCst) >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        for _ in 0..100 {
            if !hook.seen.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(*hook.seen.lock().unwrap(), vec!["req-/two".to_owned()]);
        assert_eq!(proxy.proxy.stats().hook_failures, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_informational_local_response_becomes_500() {
    bounded(async {
        let up = fixed("ok").await;
        let (hook, _done) =
            Recorder::with_head(|_, _| Ok(Verdict::respond(StatusCode::CONTINUE, "")));
        let proxy = start(config(&[up.addr]), hook).await;
        let (status, _, _) = get(&proxy.url("/")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    })
    .await;
}
