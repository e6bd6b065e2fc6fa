//! The reference server's connections, each with a handle a request can use to have the
//! connection dropped: how the `close-after-500` misbehaviour plays a server that closes
//! a kept-alive connection after an error, so the client's next request on it gets no
//! answer at all.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Accepts TCP connections and tags each with its own `Connection` handle.
pub struct Listener {
    inner: TcpListener,
}

impl Listener {
    pub fn new(inner: TcpListener) -> Listener {
        Listener { inner }
    }
}

impl axum::serve::Listener for Listener {
    type Io = Stream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Stream, SocketAddr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        // An answer written in pieces must not wait for the client's delayed ACK (Nagle).
        let _ = stream.set_nodelay(true);
        (
            Stream {
                inner: stream,
                doomed: Arc::default(),
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// What a request knows about the connection it came on.
#[derive(Debug, Clone)]
pub struct Connection {
    doomed: Arc<AtomicBool>,
}

impl Connection {
    /// The next request that arrives on this connection is not answered: the connection
    /// is dropped as soon as its bytes come in.
    pub fn drop_before_next_answer(&self) {
        self.doomed.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, Listener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, Listener>) -> Connection {
        Connection {
            doomed: stream.io().doomed.clone(),
        }
    }
}

/// A TCP stream that fails the first read after its connection was doomed.
pub struct Stream {
    inner: TcpStream,
    doomed: Arc<AtomicBool>,
}

impl AsyncRead for Stream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let arrived = matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before;
        if arrived && self.doomed.load(Ordering::SeqCst) {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection dropped after a 500 (close-after-500)",
            )));
        }
        polled
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
