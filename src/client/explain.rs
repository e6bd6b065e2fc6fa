//! Plain words for the transport failures whose cause chain tells a person little: a TLS
//! certificate this machine does not trust, and a URL scheme that does not match what
//! the port speaks (https:// to plain HTTP, http:// to HTTPS).

use std::error::Error;

use rustls::CertificateError;

/// A sentence for `error` when one of the known causes is in its chain. `scheme` is the
/// request URL's (`http` or `https`).
pub(super) fn explain(error: &(dyn Error + 'static), scheme: &str) -> Option<String> {
    if let Some(tls) = cause::<rustls::Error>(error) {
        return match tls {
            rustls::Error::InvalidCertificate(problem) => Some(format!(
                "the server's TLS certificate is not trusted: {}; --insecure skips this \
                 check (for test servers only)",
                certificate_problem(problem)
            )),
            rustls::Error::InvalidMessage(_) if scheme == "https" => Some(format!(
                "the server did not answer in TLS ({tls}); if the port speaks plain HTTP, \
                 use an http:// URL"
            )),
            _ => None,
        };
    }
    match cause::<hyper::Error>(error) {
        // A TLS port answers plain HTTP with an alert record, which fails the parse.
        Some(http) if http.is_parse() && !http.is_parse_too_large() && scheme == "http" => {
            Some(format!(
                "the answer is not valid HTTP/1.1 ({http}); if the port speaks HTTPS, use an \
                 https:// URL"
            ))
        }
        _ => None,
    }
}

/// True when TLS itself failed (certificate, handshake): nothing a retry would change.
pub(super) fn is_tls_failure(error: &(dyn Error + 'static)) -> bool {
    cause::<rustls::Error>(error).is_some()
}

/// True when the peer closed the connection before answering: hyper saw the message
/// end early, or the socket was reset, aborted or hit end of file. A server that drops a
/// kept-alive connection (often after a 500) does this to the next request on it.
pub(super) fn is_closed_connection(error: &(dyn Error + 'static)) -> bool {
    if cause::<hyper::Error>(error).is_some_and(|e| e.is_incomplete_message()) {
        return true;
    }
    cause::<std::io::Error>(error).is_some_and(|e| {
        matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof
        )
    })
}

fn certificate_problem(problem: &CertificateError) -> String {
    match problem {
        CertificateError::UnknownIssuer => "no authority this machine trusts has signed it \
                                            (self-signed, or from a private CA)"
            .to_owned(),
        other => other.to_string(),
    }
}

/// The first `T` in the chain, stepping into `io::Error`s: their `source()` skips the
/// error they wrap, and TLS failures travel wrapped in one or more of them.
fn cause<'a, T: Error + 'static>(error: &'a (dyn Error + 'static)) -> Option<&'a T> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = match e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            Some(wrapped) => Some(wrapped),
            None => e.source(),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use std::io;

    use rustls::{CertificateError, Error as TlsError, InvalidMessage};

    use super::{explain, is_tls_failure};

    /// A TLS error as the connector reports it: in an `io::Error`, in another, under an
    /// error that names the stage.
    #[derive(Debug, thiserror::Error)]
    #[error("client error (Connect)")]
    struct Connect(#[source] io::Error);

    fn connect(tls: TlsError) -> Connect {
        let handshake = io::Error::new(io::ErrorKind::InvalidData, tls);
        Connect(io::Error::other(handshake))
    }

    #[test]
    fn an_unknown_issuer_is_an_untrusted_certificate_and_names_insecure() {
        let error = connect(TlsError::InvalidCertificate(
            CertificateError::UnknownIssuer,
        ));
        let text = explain(&error, "https").expect("explained");
        assert!(text.starts_with("the server's TLS certificate is not trusted: "));
        assert!(text.contains("self-signed"), "{text}");
        assert!(text.contains("--insecure"), "{text}");
    }

    #[test]
    fn other_certificate_problems_keep_the_reason() {
        let error = connect(TlsError::InvalidCertificate(CertificateError::Expired));
        let text = explain(&error, "https").expect("explained");
        assert!(text.contains("not trusted: Expired"), "{text}");
    }

    #[test]
    fn a_corrupt_first_answer_over_https_suggests_http() {
        let error = connect(TlsError::InvalidMessage(InvalidMessage::InvalidContentType));
        let text = explain(&error, "https").expect("explained");
        assert!(text.contains("did not answer in TLS"), "{text}");
        assert!(text.contains("http:// URL"), "{text}");
        assert!(!text.contains("--insecure"), "{text}");
    }

    #[test]
    fn other_failures_are_left_to_the_cause_chain() {
        let refused = io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(explain(&refused, "https"), None);
        assert_eq!(explain(&connect(TlsError::DecryptError), "https"), None);
    }

    #[test]
    fn tls_failures_are_told_apart_from_refused_connections() {
        assert!(is_tls_failure(&connect(TlsError::DecryptError)));
        let refused = io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        assert!(!is_tls_failure(&Connect(refused)));
    }
}
