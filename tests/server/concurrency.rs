//! Eight clients writing at once lose no update and leave the store consistent: group
//! members, users' groups and counts agree afterwards.

use crate::support::server::*;

use std::collections::BTreeSet;

use serde_json::{Value, json};

const CLIENTS: usize = 8;
const ROUNDS: usize = 15;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_patches_and_deletes_stay_consistent() {
    let scim = std::sync::Arc::new(Scim::start().await);
    let group = id_of(&scim.create_group("Everyone", &[]).await);
    let mut workers = Vec::new();
    for client in 0..CLIENTS {
        let scim = std::sync::Arc::clone(&scim);
        let group = group.clone();
        workers.push(tokio::spawn(async move {
            let mut kept = Vec::new();
            for round in 0..ROUNDS {
                let id = id_of(&scim.create_user(&format!("c{client}-r{round}")).await);
                let added = scim
                    .patch_ops(
                        &format!("/Groups/{group}"),
                        json!([{"op": "add", "path": "members", "value": [{"value": id}]}]),
                    )
                    .await;
                assert_eq!(added.status, 200, "{}", added.text);
                let titled = scim
                    .patch_ops(
                        &format!("/Users/{id}"),
                        json!([{"op": "replace", "path": "title", "value": format!("t{round}")}]),
                    )
                    .await;
                assert_eq!(titled.status, 200, "{}", titled.text);
                if round % 3 == 0 {
                    assert_eq!(scim.delete(&format!("/Users/{id}")).await.status, 204);
                } else {
                    kept.push(id);
                }
            }
            kept
        }));
    }
    let mut expected = BTreeSet::new();
    for worker in workers {
        expected.extend(worker.await.expect("a client task finished"));
    }

    let group_now = scim.get(&format!("/Groups/{group}")).await.body;
    let members: BTreeSet<String> = values_of(&group_now, "members").into_iter().collect();
    assert_eq!(
        members, expected,
        "every added member is there, deleted ones are gone"
    );

    let users = scim.get("/Users?count=200").await.body;
    assert_eq!(users["totalResults"], expected.len());
    for user in users["Resources"].as_array().unwrap() {
        assert_eq!(values_of(user, "groups"), vec![group.clone()], "{user}");
        assert!(user["title"].as_str().unwrap().starts_with('t'));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_patches_of_one_resource_lose_nothing() {
    let scim = std::sync::Arc::new(Scim::start().await);
    let id = id_of(&scim.create_user("shared").await);
    let mut workers = Vec::new();
    for client in 0..CLIENTS {
        let scim = std::sync::Arc::clone(&scim);
        let path = format!("/Users/{id}");
        workers.push(tokio::spawn(async move {
            let mut versions = Vec::new();
            for round in 0..ROUNDS {
                let answer = scim
                    .patch_ops(
                        &path,
                        json!([{"op": "add", "path": "emails",
                                "value": [{"value": format!("c{client}r{round}@example.com")}]}]),
                    )
                    .await;
                assert_eq!(answer.status, 200, "{}", answer.text);
                versions.push(answer.header("etag").unwrap().to_string());
            }
            versions
        }));
    }
    let mut versions = BTreeSet::new();
    for worker in workers {
        versions.extend(worker.await.expect("a client task finished"));
    }
    assert_eq!(
        versions.len(),
        CLIENTS * ROUNDS,
        "every write got its own version"
    );
    let user = scim.get(&format!("/Users/{id}")).await.body;
    let emails: Vec<&Value> = user["emails"].as_array().unwrap().iter().collect();
    assert_eq!(emails.len(), CLIENTS * ROUNDS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_one_of_many_racing_creates_of_a_user_name_wins() {
    let scim = std::sync::Arc::new(Scim::start().await);
    let mut workers = Vec::new();
    for _ in 0..CLIENTS {
        let scim = std::sync::Arc::clone(&scim);
        workers.push(tokio::spawn(async move {
            scim.post("/Users", user("contested")).await.status
        }));
    }
    let mut statuses = Vec::new();
    for worker in workers {
        statuses.push(worker.await.expect("a client task finished"));
    }
    statuses.sort();
    let mut expected = vec![201];
    expected.extend(std::iter::repeat_n(409, CLIENTS - 1));
    assert_eq!(statuses, expected);
}
