//! What a run costs the network: its requests share a few kept-alive HTTP/1.1
//! connections (at most one per job, whatever the number of requests), counted by a
//! TCP relay in front of the reference server.

use crate::support::engine;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use engine::{client, options, reference_server, run_discovered};
use scimcheck::plan::{self, Selection};
use scimcheck::suite::{self, LoadOptions};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "tok-connections-71c2";

/// Relays every connection to `upstream`, counting them; returns its own base URL.
async fn counting_relay(
    upstream: std::net::SocketAddr,
    base_path: &str,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (format!("http://{address}{base_path}"), accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_reuses_kept_alive_connections_at_most_one_per_job() {
    let server = reference_server(Some(TOKEN), &[]).await;
    let base_path = server
        .base_url()
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|at| rest[at..].to_owned()))
        .unwrap_or_default();
    let (relayed, accepted) = counting_relay(server.local_addr(), &base_path).await;
    let suite = suite::load_builtin(&LoadOptions::default()).expect("built-in suite");
    let selection = Selection {
        filters: vec!["users.read".into(), "users.create".into()],
        ..Selection::default()
    };
    let plan = plan::select(&suite, &selection);
    let jobs = 3;
    let (summary, _) = run_discovered(&plan, client(&relayed, Some(TOKEN)), options(jobs)).await;
    let requests = summary.totals.requests;
    let connections = accepted.load(Ordering::SeqCst);
    assert!(requests > 30, "{requests} requests");
    assert!(
        (1..=jobs).contains(&connections),
        "{requests} requests over {connections} connections with {jobs} jobs"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_a_run_sends_is_on_record_its_own_included() {
    let server = reference_server(Some(TOKEN), &[]).await;
    let suite = suite::load_builtin(&LoadOptions::default()).expect("built-in suite");
    let selection = Selection {
        filters: vec!["users.create".into(), "groups.create".into()],
        ..Selection::default()
    };
    let plan = plan::select(&suite, &selection);
    let (summary, _) =
        run_discovered(&plan, client(server.base_url(), Some(TOKEN)), options(2)).await;
    let own = &summary.run_exchanges;
    let planted: Vec<&str> = own
        .before_scenarios
        .iter()
        .filter(|e| e.step == "decoy" && e.method == "POST")
        .map(|e| e.url.as_str())
        .collect();
    assert_eq!(planted.len(), 2, "a User and a Group decoy: {planted:?}");
    assert!(
        own.after_scenarios
            .iter()
            .any(|e| e.method == "POST" && e.url.ends_with("/Bulk")),
        "the Bulk cleanup: {:?}",
        own.after_scenarios
            .iter()
            .map(|e| format!("{} {}", e.method, e.url))
            .collect::<Vec<_>>()
    );
    let requests = summary.requests.expect("the run counts its requests");
    let of_scenarios: usize = summary.results.iter().map(|r| r.exchanges.len()).sum();
    let recorded = of_scenarios + own.before_scenarios.len() + own.after_scenarios.len();
    assert_eq!(
        recorded as u64,
        requests.total - requests.discovery,
        "every request after discovery is on record: {requests:?}"
    );
    server.shutdown().await;
}
