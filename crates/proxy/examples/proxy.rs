//! Runs the proxy from a YAML file until Ctrl-C, with an optional built-in hello upstream for
//! trying it out or benchmarking:
//!
//! ```text
//! cargo run --release -p rampart-proxy --example proxy -- proxy.yaml [--hello 127.0.0.1:9000]
//! ```

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::Response;
use hyper_util::rt::TokioIo;
use rampart_proxy::{NoopPhases, Proxy, ProxyConfig};

/// The allocator of the `rampart` binary, so that benchmark figures compare like with like.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: proxy CONFIG.yaml [--hello ADDR]");
        std::process::exit(2);
    };
    if let Some(i) = args.iter().position(|a| a == "--hello") {
        let addr: SocketAddr = args.get(i + 1).ok_or("--hello needs an address")?.parse()?;
        tokio::spawn(hello(addr));
    }
    let text = std::fs::read_to_string(path)?;
    let mut config = match ProxyConfig::from_yaml(&text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{path}:\n{e}");
            std::process::exit(2);
        }
    };
    config.resolve_paths(Path::new(path).parent().unwrap_or(Path::new(".")));
    let proxy = Proxy::new(config, Arc::new(NoopPhases))?;
    let bound = proxy.bind().await?;
    for addr in bound.local_addrs() {
        eprintln!("listening on {addr}");
    }
    let drained = bound
        .serve(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    eprintln!("stopped ({drained:?}); {:?}", proxy.stats());
    Ok(())
}

/// A minimal upstream answering `hello` to everything.
async fn hello(addr: SocketAddr) {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("bind --hello");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(async move {
            let svc = service_fn(|_req| async {
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"hello\n"))))
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}
