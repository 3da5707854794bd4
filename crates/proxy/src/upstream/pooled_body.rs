//! An upstream response body that hands its connection back to the server's stack once it
//! has been read to its end.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;

use super::connections::Connections;
use super::UpstreamBody;

/// The body of a response from an upstream server, owning the connection it came on.
pub(crate) struct PooledBody {
    inner: Incoming,
    back: Option<(Arc<Connections>, SendRequest<UpstreamBody>)>,
    ended: bool,
}

impl std::fmt::Debug for PooledBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PooledBody")
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl PooledBody {
    /// `inner` came on `sender`'s connection to `conns`' server.
    pub(crate) fn new(
        inner: Incoming,
        conns: Arc<Connections>,
        sender: SendRequest<UpstreamBody>,
    ) -> Self {
        Self {
            inner,
            back: Some((conns, sender)),
            ended: false,
        }
    }
}

impl Body for PooledBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(None) => self.ended = true,
            Poll::Ready(Some(Err(_))) => self.back = None,
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for PooledBody {
    fn drop(&mut self) {
        // A body dropped before its end leaves the connection mid-response: it is closed.
        if self.ended || self.inner.is_end_stream() {
            if let Some((conns, sender)) = self.back.take() {
                conns.give_back(sender);
            }
        }
    }
}
