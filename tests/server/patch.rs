//! PATCH against the reference server over HTTP: op spellings, paths with and without
//! value filters, extensions, group members, error types, and atomicity.

use crate::support::server::*;

use serde_json::{Value, json};

async fn user_with_emails(scim: &Scim) -> (String, Value) {
    let user = scim
        .create(
            "/Users",
            json!({"schemas": [USER], "userName": "pat", "active": true, "title": "Dev",
                   "name": {"givenName": "Pat", "familyName": "Lee"},
                   "emails": [{"value": "pat@work.example", "type": "work", "primary": true},
                              {"value": "pat@home.example", "type": "home"}]}),
        )
        .await;
    (format!("/Users/{}", id_of(&user)), user)
}

#[tokio::test]
async fn entra_style_capitalized_ops_are_accepted() {
    let scim = Scim::start().await;
    let (path, _) = user_with_emails(&scim).await;
    let answer = scim
        .patch_ops(
            &path,
            json!([
                {"op": "Replace", "path": "active", "value": false},
                {"op": "Add", "path": "name.givenName", "value": "Patricia"},
                {"op": "REPLACE", "path": "userName", "value": "patricia"},
            ]),
        )
        .await;
    let user = answer.assert_status(200);
    assert_eq!(user["active"], false);
    assert_eq!(
        user["name"],
        json!({"givenName": "Patricia", "familyName": "Lee"})
    );
    assert_eq!(user["userName"], "patricia");
    assert_eq!(answer.header("etag").unwrap(), user["meta"]["version"]);
}

#[tokio::test]
async fn values_without_path_merge_attributes_and_extensions() {
    let scim = Scim::start().await;
    let (path, _) = user_with_emails(&scim).await;
    let answer = scim
        .patch_ops(
            &path,
            json!([
                {"op": "replace", "value": {"displayName": "P. Lee", "name": {"familyName": "Li"},
                    ENTERPRISE: {"department": "R&D", "manager": {"value": "m-1"}}}},
                {"op": "add", "value": {"emails": [{"value": "pat@third.example", "type": "other"}]}},
            ]),
        )
        .await;
    let user = answer.assert_status(200);
    assert_eq!(user["displayName"], "P. Lee");
    assert_eq!(
        user["name"],
        json!({"givenName": "Pat", "familyName": "Li"})
    );
    assert_eq!(user["emails"].as_array().unwrap().len(), 3);
    assert_eq!(
        user[ENTERPRISE],
        json!({"department": "R&D", "manager": {"value": "m-1"}})
    );
    assert_eq!(user["schemas"], json!([USER, ENTERPRISE]));
}

#[tokio::test]
async fn extension_attributes_are_reachable_by_full_urn_path() {
    let scim = Scim::start().await;
    let (path, _) = user_with_emails(&scim).await;
    let user = scim
        .patch_ops(
            &path,
            json!([
                {"op": "add", "path": format!("{ENTERPRISE}:employeeNumber"), "value": "701984"},
                {"op": "add", "path": format!("{ENTERPRISE}:manager.value"), "value": "boss-id"},
            ]),
        )
        .await;
    let user = user.assert_status(200);
    assert_eq!(user[ENTERPRISE]["employeeNumber"], "701984");
    assert_eq!(user[ENTERPRISE]["manager"]["value"], "boss-id");
    let user = scim
        .patch_ops(
            &path,
            json!([{"op": "remove", "path": format!("{ENTERPRISE}:employeeNumber")}]),
        )
        .await;
    assert!(user.body[ENTERPRISE].get("employeeNumber").is_none());
    let user = scim
        .patch_ops(&path, json!([{"op": "remove", "path": ENTERPRISE}]))
        .await;
    let user = user.assert_status(200);
    assert!(user.get(ENTERPRISE).is_none());
    assert_eq!(user["schemas"], json!([USER]));
}

/// scim2-models writes the extension's own URN as `schemas` inside an extension value;
/// it repeats the key, so it is accepted, while any other stray member is still refused.
#[tokio::test]
async fn an_extension_value_may_repeat_its_own_urn_as_schemas() {
    let scim = Scim::start().await;
    let (path, _) = user_with_emails(&scim).await;
    let user = scim
        .patch_ops(
            &path,
            json!([{"op": "add", "path": ENTERPRISE,
                    "value": {"schemas": [ENTERPRISE], "employeeNumber": "42"}}]),
        )
        .await;
    let user = user.assert_status(200);
    assert_eq!(user[ENTERPRISE], json!({"employeeNumber": "42"}));
    scim.patch_ops(
        &path,
        json!([{"op": "add", "path": ENTERPRISE,
                "value": {"schemas": [USER], "employeeNumber": "43"}}]),
    )
    .await
    .assert_error(400, Some("invalidSyntax"));
}

#[tokio::test]
async fn value_filters_select_the_values_to_change() {
    let scim = Scim::start().await;
    let (path, _) = user_with_emails(&scim).await;
    let user = scim
        .patch_ops(
            &path,
            json!([
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "pat@new.example"},
                {"op": "remove", "path": "emails[type eq \"home\"]"},
            ]),
        )
        .await;
    let user = user.assert_status(200);
    assert_eq!(
        user["emails"],
        json!([{"value": "pat@new.example", "type": "work", "primary": true}])
    );
    // Add through an equality filter creates the value it describes.
    let user = scim
        .patch_ops(
            &path,
            json!([{"op": "add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555"}]),
        )
        .await;
    assert_eq!(
        user.body["phoneNumbers"],
        json!([{"value": "+1 555", "type": "mobile"}])
    );
    // Replace through a filter that matches nothing has no target.
    scim.patch_ops(
        &path,
        json!([{"op": "replace", "path": "emails[type eq \"home\"].value", "value": "x@y"}]),
    )
    .await
    .assert_error(400, Some("noTarget"));
}

#[tokio::test]
async fn group_members_are_added_and_removed() {
    let scim = Scim::start().await;
    let ids: Vec<String> = futures_ids(&scim, &["m1", "m2", "m3"]).await;
    let group = id_of(&scim.create_group("Team", &[]).await);
    let path = format!("/Groups/{group}");
    let added = scim
        .patch_ops(
            &path,
            json!([{"op": "Add", "path": "members",
                    "value": [{"value": ids[0]}, {"value": ids[1]}, {"value": ids[2]}]}]),
        )
        .await;
    assert_eq!(values_of(added.assert_status(200), "members").len(), 3);
    // Adding a member twice keeps one.
    let again = scim
        .patch_ops(
            &path,
            json!([{"op": "add", "path": "members", "value": [{"value": ids[0]}]}]),
        )
        .await;
    assert_eq!(values_of(&again.body, "members").len(), 3);
    let removed = scim
        .patch_ops(
            &path,
            json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", ids[0])}]),
        )
        .await;
    let mut rest = vec![ids[1].clone(), ids[2].clone()];
    rest.sort();
    assert_eq!(values_of(&removed.body, "members"), rest);
    // Entra ID removes with a value list.
    let removed = scim
        .patch_ops(
            &path,
            json!([{"op": "Remove", "path": "members", "value": [{"value": ids[1]}]}]),
        )
        .await;
    assert_eq!(values_of(&removed.body, "members"), vec![ids[2].clone()]);
    // A member's User now lists the group; removing all members clears it.
    let user = scim.get(&format!("/Users/{}", ids[2])).await.body;
    assert_eq!(values_of(&user, "groups"), vec![group.clone()]);
    let cleared = scim
        .patch_ops(&path, json!([{"op": "remove", "path": "members"}]))
        .await;
    assert!(cleared.assert_status(200).get("members").is_none());
    let user = scim.get(&format!("/Users/{}", ids[2])).await.body;
    assert!(user.get("groups").is_none());
    // Member values are immutable: a member can be replaced, not renamed.
    scim.patch_ops(
        &path,
        json!([{"op": "add", "path": "members", "value": [{"value": ids[1]}]}]),
    )
    .await
    .assert_status(200);
    scim.patch_ops(
        &path,
        json!([{"op": "replace", "path": format!("members[value eq \"{}\"].value", ids[1]),
                "value": ids[0]}]),
    )
    .await
    .assert_error(400, Some("mutability"));
    scim.patch_ops(&path, json!([{"op": "remove", "path": "members.value"}]))
        .await
        .assert_error(400, Some("mutability"));
    // Removing a member who is not one changes nothing (RFC 7644 3.5.2.2's own example).
    let before = scim.get(&path).await.body;
    let unchanged = scim
        .patch_ops(
            &path,
            json!([{"op": "remove", "path": "members[value eq \"nobody\"]"}]),
        )
        .await;
    assert_eq!(
        values_of(unchanged.assert_status(200), "members"),
        values_of(&before, "members")
    );
    scim.patch_ops(
        &path,
        json!([{"op": "add", "path": "members", "value": [{"value": "ghost"}]}]),
    )
    .await
    .assert_error(400, Some("invalidValue"));
}

/// RFC 7644 3.5.2.2 makes removing what has no value no error, and IdPs send such
/// removals (a manager never set, a member already gone): each is a 200 that changes
/// nothing. Only a remove without path, and a replace through a filter matching nothing,
/// have no target.
#[tokio::test]
async fn removing_what_has_no_value_succeeds_and_changes_nothing() {
    let scim = Scim::start().await;
    let (path, created) = user_with_emails(&scim).await;
    let removals = [
        json!({"op": "remove", "path": "nickName"}),
        json!({"op": "Remove", "path": "name.middleName"}),
        json!({"op": "remove", "path": "phoneNumbers"}),
        json!({"op": "remove", "path": "phoneNumbers[type eq \"work\"]"}),
        json!({"op": "remove", "path": "emails[type eq \"other\"]"}),
        json!({"op": "remove", "path": "emails[type eq \"other\"].display"}),
        json!({"op": "remove", "path": "addresses.locality"}),
        json!({"op": "remove", "path": format!("{ENTERPRISE}:manager")}),
        json!({"op": "remove", "path": format!("{ENTERPRISE}:manager.value")}),
        json!({"op": "remove", "path": ENTERPRISE}),
        json!({"op": "remove", "path": "x509Certificates", "value": [{"value": "none"}]}),
    ];
    let attributes = |user: &Value| {
        let mut user = user.clone();
        user.as_object_mut().unwrap().remove("meta");
        user
    };
    for removal in removals {
        let answer = scim.patch_ops(&path, json!([removal.clone()])).await;
        assert_eq!(answer.status, 200, "{removal} -> {}", answer.text);
        assert_eq!(attributes(&answer.body), attributes(&created), "{removal}");
    }
    // All of them at once, too.
    let answer = scim
        .patch_ops(
            &path,
            json!([{"op": "remove", "path": "nickName"}, {"op": "remove", "path": "title"}]),
        )
        .await;
    assert!(answer.assert_status(200).get("title").is_none());
    // What still has no target.
    scim.patch_ops(&path, json!([{"op": "remove"}]))
        .await
        .assert_error(400, Some("noTarget"));
    scim.patch_ops(
        &path,
        json!([{"op": "replace", "path": "emails[type eq \"other\"].value", "value": "x@y"}]),
    )
    .await
    .assert_error(400, Some("noTarget"));
}

async fn futures_ids(scim: &Scim, names: &[&str]) -> Vec<String> {
    let mut ids = Vec::new();
    for name in names {
        ids.push(id_of(&scim.create_user(name).await));
    }
    ids
}

#[tokio::test]
async fn errors_carry_the_rfc_scim_types() {
    let scim = Scim::start().await;
    let (path, _) = user_with_emails(&scim).await;
    let cases = [
        (
            json!([{"op": "replace", "path": "id", "value": "x"}]),
            400,
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": "meta.created", "value": "2000-01-01T00:00:00Z"}]),
            400,
            "mutability",
        ),
        (
            json!([{"op": "add", "path": "groups", "value": [{"value": "g"}]}]),
            400,
            "mutability",
        ),
        (
            json!([{"op": "replace", "value": {"id": "x"}}]),
            400,
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": "shoeSize", "value": 9}]),
            400,
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "path": "name.nick", "value": "x"}]),
            400,
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "path": "name[givenName eq \"x\"]", "value": "x"}]),
            400,
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "path": "emails[type eq]", "value": "x"}]),
            400,
            "invalidFilter",
        ),
        (
            json!([{"op": "replace", "path": "title..x", "value": "x"}]),
            400,
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "path": "active", "value": "maybe"}]),
            400,
            "invalidValue",
        ),
        (
            json!([{"op": "replace", "path": "userName"}]),
            400,
            "invalidValue",
        ),
        (
            json!([{"op": "remove", "path": "userName"}]),
            400,
            "mutability",
        ),
        (json!([{"op": "remove"}]), 400, "noTarget"),
        (
            json!([{"op": "merge", "path": "title", "value": "x"}]),
            400,
            "invalidSyntax",
        ),
        (json!([]), 400, "invalidSyntax"),
        (json!({"op": "add"}), 400, "invalidSyntax"),
    ];
    for (operations, status, scim_type) in cases {
        let answer = scim.patch_ops(&path, operations.clone()).await;
        assert_eq!(answer.status, status, "{operations} -> {}", answer.text);
        assert_eq!(
            answer.body["scimType"], scim_type,
            "{operations} -> {}",
            answer.text
        );
    }
    let no_schema = scim
        .patch(
            &path,
            json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]}),
        )
        .await;
    no_schema.assert_error(400, Some("invalidSyntax"));
    let no_ops = scim.patch(&path, json!({"schemas": [PATCH_OP]})).await;
    no_ops.assert_error(400, Some("invalidSyntax"));
    scim.patch_ops(
        "/Users/missing",
        json!([{"op": "replace", "path": "title", "value": "x"}]),
    )
    .await
    .assert_error(404, None);
}

#[tokio::test]
async fn a_failing_operation_leaves_the_resource_unchanged() {
    let scim = Scim::start().await;
    let (path, before) = user_with_emails(&scim).await;
    let answer = scim
        .patch_ops(
            &path,
            json!([
                {"op": "replace", "path": "title", "value": "Changed"},
                {"op": "remove", "path": "emails[type eq \"work\"]"},
                {"op": "replace", "path": "active", "value": "yes"},
            ]),
        )
        .await;
    answer.assert_error(400, Some("invalidValue"));
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("Operations[2]"),
        "{}",
        answer.text
    );
    let after = scim.get(&path).await.body;
    assert_eq!(after, before, "nothing changed, not even the version");
}

#[tokio::test]
async fn patch_honours_if_match_and_attributes() {
    let scim = Scim::start().await;
    let (path, before) = user_with_emails(&scim).await;
    let stale = scim
        .send(
            scim.request(reqwest::Method::PATCH, &path)
                .header("content-type", "application/json; charset=utf-8")
                .header("if-match", "W/\"0\"")
                .body(json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "x"}]}).to_string()),
        )
        .await;
    stale.assert_error(412, None);
    let answer = scim
        .send(
            scim.request(reqwest::Method::PATCH, &format!("{path}?attributes=title"))
                .header("content-type", SCIM_JSON)
                .header("if-match", before["meta"]["version"].as_str().unwrap())
                .body(json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "Lead"}]}).to_string()),
        )
        .await;
    let body = answer.assert_status(200);
    assert_eq!(body["title"], "Lead");
    assert!(body.get("userName").is_none());
}

#[tokio::test]
async fn password_can_be_set_but_is_never_returned() {
    let scim = Scim::start().await;
    let (path, _) = user_with_emails(&scim).await;
    let answer = scim
        .patch_ops(
            &path,
            json!([{"op": "replace", "path": "password", "value": "n3w-Secret"}]),
        )
        .await;
    assert!(!answer.text.contains("n3w-Secret"));
    assert!(answer.assert_status(200).get("password").is_none());
    let search = scim.get("/Users?filter=password%20pr").await;
    assert!(!search.text.contains("n3w-Secret"));
}

#[tokio::test]
async fn okta_rename_with_the_echoed_id_is_accepted() {
    let scim = Scim::start().await;
    let group = id_of(&scim.create_group("Before", &[]).await);
    let path = format!("/Groups/{group}");
    let renamed = scim
        .patch_ops(
            &path,
            json!([{"op": "replace", "value": {"id": group, "displayName": "After"}}]),
        )
        .await;
    assert_eq!(renamed.assert_status(200)["displayName"], "After");
    scim.patch_ops(
        &path,
        json!([{"op": "replace", "value": {"id": "other", "displayName": "X"}}]),
    )
    .await
    .assert_error(400, Some("mutability"));
}
