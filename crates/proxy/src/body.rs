//! Streaming body wrapper: frames pass through untouched while the first bytes are copied into a
//! bounded sample, bytes are counted and an optional size limit cuts the body off.
//!
//! The whole body is never held: memory per body is at most the sample cap plus whatever frame
//! is in flight. When the body ends, fails or is dropped, its [`BodyRecord`] goes to the request's
//! record, which calls `on_done` once both directions are finished.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::sync::oneshot;
use tokio::time::Sleep;

use crate::clock;
use crate::record::Recording;

/// Boxed error carried by proxied bodies.
pub(crate) type BoxError = Box<dyn StdError + Send + Sync>;

/// What a body's tap saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodySample {
    /// The first bytes of the body, at most `inspect_body_bytes`.
    pub bytes: Vec<u8>,
    /// Bytes that went through in total.
    pub size: u64,
    /// Whether the body was longer than the sample.
    pub truncated: bool,
    /// Whether the body reached its end (false: aborted, cut off or failed).
    pub complete: bool,
}

/// Which direction a body travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Request,
    Response,
}

/// The error a body gets when it grows past `limits.max_body_bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyTooLarge {
    pub(crate) limit: u64,
}

impl fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "body larger than the limit of {} bytes", self.limit)
    }
}

impl StdError for BodyTooLarge {}

/// The error a request body gets when the client pauses longer than `timeouts.request_body`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyStalled {
    pub(crate) after: Duration,
}

impl fmt::Display for BodyStalled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no body data for {:?}", self.after)
    }
}

impl StdError for BodyStalled {}

/// Whether an error, or any error it wraps, is an `E`.
pub(crate) fn caused_by<E: StdError + 'static>(err: &(dyn StdError + 'static)) -> bool {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if e.is::<E>() {
            return true;
        }
        cur = e.source();
    }
    false
}

/// Whether an error, or any error it wraps, is [`BodyTooLarge`].
pub(crate) fn is_body_too_large(err: &(dyn StdError + 'static)) -> bool {
    caused_by::<BodyTooLarge>(err)
}

/// The bookkeeping half of a [`TapBody`]; delivers its record when dropped.
struct Tap {
    sample: Vec<u8>,
    cap: usize,
    size: u64,
    limit: u64,
    complete: bool,
    side: Side,
    sink: Option<Arc<Recording>>,
    on_end: Option<oneshot::Sender<()>>,
}

impl Tap {
    fn take_data(&mut self, data: &[u8]) {
        self.size = self.size.saturating_add(data.len() as u64);
        let room = self.cap.saturating_sub(self.sample.len());
        if room > 0 {
            self.sample.extend_from_slice(&data[..data.len().min(room)]);
        }
    }

    fn end(&mut self) {
        if let Some(tx) = self.on_end.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        self.end();
        if let Some(sink) = self.sink.take() {
            let record = BodySample {
                truncated: self.size > self.sample.len() as u64,
                bytes: std::mem::take(&mut self.sample),
                size: self.size,
                complete: self.complete,
            };
            sink.body_finished(self.side, record);
        }
    }
}

/// A body that streams `B` through a bounded sampling tap.
pub(crate) struct TapBody<B> {
    inner: B,
    tap: Tap,
    stall: Option<Stall>,
}

/// The longest pause allowed between two frames, and its timer.
struct Stall {
    after: Duration,
    timer: Pin<Box<Sleep>>,
}

impl<B> TapBody<B> {
    /// Wraps `inner`. `cap` is the sample size, `limit` the largest allowed body (`u64::MAX` for
    /// none); `on_end` fires once when the body ends, fails or is dropped.
    pub(crate) fn new(
        inner: B,
        side: Side,
        cap: usize,
        limit: u64,
        sink: Option<Arc<Recording>>,
        on_end: Option<oneshot::Sender<()>>,
    ) -> Self {
        Self {
            inner,
            tap: Tap {
                sample: Vec::new(),
                cap,
                size: 0,
                limit,
                complete: false,
                side,
                sink,
                on_end,
            },
            stall: None,
        }
    }

    /// Fails the body with [`BodyStalled`] when no frame arrives for `after` (counted from
    /// now, then from each frame).
    pub(crate) fn with_stall_timeout(mut self, after: Duration) -> Self {
        self.stall = Some(Stall {
            after,
            timer: Box::pin(tokio::time::sleep(after)),
        });
        self
    }
}

impl<B> Body for TapBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.tap.complete {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Pending => {
                if let Some(stall) = &mut this.stall {
                    if stall.timer.as_mut().poll(cx).is_ready() {
                        this.tap.end();
                        let after = stall.after;
                        this.stall = None;
                        return Poll::Ready(Some(Err(Box::new(BodyStalled { after }))));
                    }
                }
                Poll::Pending
            }
            Poll::Ready(None) => {
                this.tap.complete = true;
                this.tap.end();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => {
                this.tap.end();
                Poll::Ready(Some(Err(e.into())))
            }
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let len = data.len() as u64;
                    if this.tap.size.saturating_add(len) > this.tap.limit {
                        this.tap.size = this.tap.size.saturating_add(len);
                        this.tap.end();
                        return Poll::Ready(Some(Err(Box::new(BodyTooLarge {
                            limit: this.tap.limit,
                        }))));
                    }
                    this.tap.take_data(data);
                }
                if this.inner.is_end_stream() {
                    this.tap.complete = true;
                    this.tap.end();
                } else if let Some(stall) = &mut this.stall {
                    let deadline = clock::deadline(stall.after);
                    stall.timer.as_mut().reset(deadline);
                }
                Poll::Ready(Some(Ok(frame)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.tap.complete || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    /// A body of `n` data frames of `size` bytes, frame `i` filled with byte `i`.
    struct Chunks(std::vec::IntoIter<Bytes>);

    impl Body for Chunks {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Ready(self.get_mut().0.next().map(|b| Ok(Frame::data(b))))
        }
    }

    fn chunks(n: usize, size: usize) -> Chunks {
        let v: Vec<Bytes> = (0..n).map(|i| Bytes::from(vec![i as u8; size])).collect();
        Chunks(v.into_iter())
    }

    #[tokio::test]
    async fn frames_pass_through_and_the_sample_is_capped() {
        let (tx, rx) = oneshot::channel();
        let body = TapBody::new(
            chunks(10, 1000),
            Side::Request,
            2500,
            u64::MAX,
            None,
            Some(tx),
        );
        let mut body = body;
        let mut total = 0;
        while let Some(frame) = body.frame().await {
            total += frame.unwrap().into_data().unwrap().len();
        }
        assert_eq!(total, 10_000);
        assert_eq!(body.tap.size, 10_000);
        assert_eq!(body.tap.sample.len(), 2500);
        assert_eq!(&body.tap.sample[..1000], &[0u8; 1000][..]);
        assert_eq!(body.tap.sample[1000], 1);
        assert!(body.tap.complete);
        assert!(rx.await.is_ok());
    }

    /// A body that never sends anything.
    struct Silent;

    impl Body for Silent {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Pending
        }
    }

    #[tokio::test]
    async fn a_stalled_body_fails_after_the_pause() {
        let mut body = TapBody::new(Silent, Side::Request, 0, u64::MAX, None, None)
            .with_stall_timeout(Duration::from_millis(50));
        let err = body.frame().await.unwrap().unwrap_err();
        assert!(caused_by::<BodyStalled>(&*err));
    }

    #[tokio::test]
    async fn the_limit_cuts_the_body_off() {
        let mut body = TapBody::new(chunks(10, 1000), Side::Request, 0, 4500, None, None);
        let mut ok = 0;
        let err = loop {
            match body.frame().await {
                Some(Ok(_)) => ok += 1,
                Some(Err(e)) => break e,
                None => panic!("the body should have been cut off"),
            }
        };
        assert_eq!(ok, 4);
        assert!(is_body_too_large(&*err));
        assert!(!body.tap.complete);
    }
}
