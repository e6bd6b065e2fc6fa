//! An HTTPS front for the plain reference server, for tests only: a self-signed
//! certificate for 127.0.0.1 and localhost made at test time (the key stays in memory),
//! a TLS listener on a loopback port, and each connection's bytes copied both ways to
//! the plain server.

#![allow(dead_code)]

use std::sync::Arc;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// Terminates TLS on its own loopback port and forwards to a plain HTTP address. Its
/// runtime, and with it every connection, ends when it drops.
pub struct TlsFront {
    runtime: tokio::runtime::Runtime,
    /// The plain base URL with `https` and the front's port: same path.
    pub base: String,
}

impl TlsFront {
    /// A front for the server whose base URL is `plain_base` (`http://127.0.0.1:P/path`).
    pub fn before(plain_base: &str) -> TlsFront {
        let rest = plain_base
            .strip_prefix("http://")
            .expect("a plain http:// base URL");
        let (backend, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let backend = backend.to_owned();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the TLS front");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let acceptor = TlsAcceptor::from(Arc::new(self_signed_config()));
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(forward(acceptor.clone(), client, backend.clone()));
            }
        });
        TlsFront {
            runtime,
            base: format!("https://{addr}{path}"),
        }
    }
}

/// One connection: the handshake, then bytes both ways until either side closes. A
/// client that does not speak TLS is dropped, as a real HTTPS port would.
async fn forward(acceptor: TlsAcceptor, client: TcpStream, backend: String) {
    let Ok(mut tls) = acceptor.accept(client).await else {
        return;
    };
    let Ok(mut plain) = TcpStream::connect(&backend).await else {
        return;
    };
    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
}

/// A server configuration (ring, no client auth) with a fresh self-signed certificate.
fn self_signed_config() -> rustls::ServerConfig {
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).expect("a self-signed certificate");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("the certificate matches its key")
}
